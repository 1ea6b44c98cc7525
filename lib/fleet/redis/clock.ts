/**
 * Redis's clock as this container reads it. The budget reserves starts on Redis's clock (one clock for the whole
 * fleet, whatever the containers' own clocks say); a start is waited for on this container's clock.
 *
 * The offset is Redis's `now` (read inside a script) minus the moment its answer was read here, at its largest:
 * every answer arrives late by a delay ≥ 0, so the largest sample has the least delay in it. It never runs ahead of
 * the true offset, so a start converted with it is never early (early starts are what TRTC throttles).
 */
export class RedisClock {
  private offset = Number.NEGATIVE_INFINITY;

  /** One reading: Redis's time in a script's answer, and this container's time when the answer was read. */
  sample(redisNow: number, received: number): void {
    this.offset = Math.max(this.offset, redisNow - received);
  }

  get known(): boolean {
    return Number.isFinite(this.offset);
  }

  /** A moment on Redis's clock, on this container's. */
  toLocal(redisMs: number): number {
    return redisMs - this.offset;
  }

  /** A moment on this container's clock, on Redis's (0 before the first sample: "unknown" to the scripts). */
  toRedis(localMs: number): number {
    return this.known ? Math.floor(localMs + this.offset) : 0;
  }
}

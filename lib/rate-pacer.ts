/**
 * Paces upstream request starts under TRTC's limit (20 requests per second per action and account, counted in a
 * sliding 1 s window). Starts are spaced evenly, 1000/perSecond ms apart, and never more than `perSecond` in any
 * rolling second even when timers fire late (a late timer must not release a burst).
 *
 * Written by hand: it is one small loop, and the libraries that do this (bottleneck, limiter, p-throttle) either
 * cost a large share of the 100 KB bundle budget or are ESM-only. Even spacing rather than a token bucket: a burst
 * at the edge of our window can land inside one window of the server's clock, whose arrivals jitter.
 */

export interface PacerClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const realClock: PacerClock = { now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export class RatePacer {
  private readonly intervalMs: number;
  /** Earliest moment the next start may happen. */
  private nextAt = 0;
  /** The last `perSecond` starts within the window, oldest first, from `head` on (a queue without shift's copies). */
  private recent: number[] = [];
  private head = 0;

  constructor(
    readonly perSecond: number,
    private readonly clock: PacerClock = realClock,
    private readonly windowMs = 1000,
  ) {
    this.intervalMs = windowMs / perSecond;
  }

  /** When a start could happen, looking at spacing and at the rolling window. */
  private earliest(now: number): number {
    const windowFull = this.recent.length - this.head >= this.perSecond ? this.recent[this.head]! + this.windowMs : 0;
    return Math.max(now, this.nextAt, windowFull);
  }

  /** Callers queue here, so slots go out in the order asked for (a batch starts its tasks in input order). */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Waits for a start slot and takes it. Returns false, taking nothing, when the slot would come after `latest`
   * (epoch ms): the caller answers with a time-out instead of starting a request it could not finish.
   */
  acquire(latest = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.tryAcquire(latest)) return Promise.resolve(true);
    this.waiting++;
    const turn = this.queue.then(() => this.take(latest)).finally(() => this.waiting--);
    this.queue = turn;
    return turn;
  }

  /** Takes a start now, synchronously, if nobody is waiting and one is free (the warm path); else takes nothing. */
  tryAcquire(latest = Number.POSITIVE_INFINITY): boolean {
    const now = this.clock.now();
    return this.waiting === 0 && now <= latest && this.tryTake(now);
  }

  /** Callers queued behind the current one. */
  private waiting = 0;

  /** Takes a start at `now` if one is free (within the clock's 1 ms resolution). */
  private tryTake(now: number): boolean {
    // Starts older than the window no longer count: dropped, so a high limit does not keep a long list.
    while (this.head < this.recent.length && this.recent[this.head]! <= now - this.windowMs) this.head++;
    // Within the clock's 1 ms resolution counts as now: a sub-millisecond wait would be a ≥ 1 ms timer.
    if (this.earliest(now) - now >= 1) return false;
    this.recent.push(now);
    if (this.recent.length - this.head > this.perSecond) this.head++;
    if (this.head > 64 && this.head * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.head);
      this.head = 0;
    }
    this.nextAt = now + this.intervalMs;
    return true;
  }

  private async take(latest: number): Promise<boolean> {
    for (;;) {
      const now = this.clock.now();
      if (this.tryTake(now)) return true;
      const at = this.earliest(now);
      if (at > latest) return false;
      await this.clock.sleep(at - now);
    }
  }
}

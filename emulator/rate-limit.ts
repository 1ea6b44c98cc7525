/** Per action and account: at most `limit` accepted requests in any sliding 1000 ms window. */
const WINDOW_MS = 1000;

export class SlidingWindowLimiter {
  /** Accept times (ms) within the last window, per action+account key. */
  private readonly windows = new Map<string, number[]>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("rateLimitPerSecond must be a positive integer");
  }

  /** How many requests the window already holds, were one more to arrive now. */
  inWindow(key: string, now: number): number {
    const times = this.windows.get(key);
    if (!times) return 0;
    while (times.length > 0 && times[0] <= now - WINDOW_MS) times.shift();
    if (times.length === 0) this.windows.delete(key);
    return times.length;
  }

  allows(key: string, now: number): boolean {
    return this.inWindow(key, now) < this.limit;
  }

  /** Records an accepted request (throttled ones take no quota); returns the window's size including it. */
  record(key: string, now: number): number {
    const size = this.inWindow(key, now) + 1;
    const times = this.windows.get(key) ?? [];
    times.push(now);
    this.windows.set(key, times);
    return size;
  }

  reset(): void {
    this.windows.clear();
  }
}

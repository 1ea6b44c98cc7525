/** Counts work that will still send callbacks (deliveries, held events, scheduled restarts), so tests can await none. */
export class PendingWork {
  private count = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.count += 1;
  }

  end(): void {
    this.count -= 1;
    if (this.count === 0) this.wake();
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when nothing is pending (at once if nothing is), or when the emulator closes. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Closing: whatever was pending will never send, so nobody should keep waiting for it. */
  close(): void {
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/**
 * Single-flight locks this container may hold that a release did not reach (the connection was down or replaced,
 * or the answer never came): dropped again whenever Redis answers something, until one drop is answered, so that no
 * lock is left for the other containers to wait on until it lapses. Dropping a lock that is not ours any more does
 * nothing (the token is checked). The value is not sent again: cached later, it would outlive its TTL.
 */

/** Locks kept for a later release at most (oldest dropped first: they lapse by themselves anyway). */
export const UNRELEASED_MAX = 100;

export interface Unreleased {
  status: string;
  lock: string;
  token: string;
}

export class UnreleasedLocks {
  private readonly locks = new Map<string, Unreleased>();
  private sending = false;

  /** `drop` sends one lock-only release and settles true when Redis answered it. */
  constructor(private readonly drop: (lock: Unreleased) => Promise<boolean>) {}

  get size(): number {
    return this.locks.size;
  }

  add(lock: Unreleased): void {
    this.locks.delete(lock.lock);
    this.locks.set(lock.lock, lock);
    if (this.locks.size > UNRELEASED_MAX) this.locks.delete(this.locks.keys().next().value!);
  }

  /**
   * Sends every pending drop once (unless a round is still out); each one answered is forgotten, unless the lock was
   * left behind again meanwhile.
   */
  retry(): void {
    if (this.sending || this.locks.size === 0) return;
    this.sending = true;
    const round = [...this.locks.values()].map((lock) =>
      this.drop(lock).then((done) => {
        if (done && this.locks.get(lock.lock) === lock) this.locks.delete(lock.lock);
      }),
    );
    void Promise.all(round).then(() => (this.sending = false));
  }
}

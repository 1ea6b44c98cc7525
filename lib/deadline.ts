/**
 * The invocation's one clock. A {@link Deadline} is made once per invocation from the platform's remaining time
 * (lib/platform.ts), and every layer takes its time from it: an attempt's bound and whether it may start, the wait
 * before a retry, the pacer's last start, a wait's last poll, a Secrets Manager read, a follower's give-up time, a
 * shared-store call. Each cut is decided here, once, with its reason; no other module does arithmetic on the
 * deadline. The clock (now, sleep) is injectable, so the timing logic is tested without waiting.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * How long before the platform's hard limit the function stops working and answers: 10% of the remaining time,
 * between 100 ms and 1 s. Enough to classify, log and return.
 */
export function answerMargin(remainingMs: number): number {
  return Math.min(1000, Math.max(100, Math.floor(remainingMs * 0.1)));
}

/** An attempt with less time than this is not started: it could not finish. */
export const MIN_ATTEMPT_MS = 150;
/** Timers fire late on a busy machine; a wait fitted to the deadline keeps this much in hand. */
export const TIMER_SLACK_MS = 100;
/** A poll is not started with less time than this before the deadline: it would only end in UpstreamTimeout. */
export const MIN_POLL_MS = 1000;
/**
 * A healthy GetSecretValue takes tens of ms. A first read may take up to SECRET_READ_MAX_MS (never past the
 * deadline); a refresh, with keys in hand, at most SECRET_REFRESH_MAX_MS or a quarter of the time left, so that a
 * hanging Secrets Manager still leaves the invocation time to ask TRTC with the keys it has.
 */
export const SECRET_READ_MAX_MS = 3000;
export const SECRET_REFRESH_MAX_MS = 1000;
/**
 * A callback is answered within 1 s (the contract), whatever the store does: writing its record gets at most this,
 * and TRTC, answered 503 when it did not fit, delivers the event again.
 */
export const RECORD_WRITE_MAX_MS = 800;

/**
 * The reason a bounded operation's signal is aborted with. Named TimeoutError like AbortSignal.timeout's reason,
 * and carrying the bound, so that whoever sees the abort (the transport) can say how long it waited.
 */
export class TimeoutReason extends Error {
  override readonly name = "TimeoutError";
  constructor(readonly ms: number) {
    super(`Timed out after ${ms} ms`);
  }
}

export class Deadline {
  /** `at`: epoch ms (on `clock`) by which the invocation must have answered. */
  constructor(
    readonly at: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The deadline of an invocation with `remainingMs` before the platform's limit, from `from` (default now). */
  static fromRemaining(remainingMs: number, clock: Clock = systemClock, from: number = clock.now()): Deadline {
    return new Deadline(from + remainingMs - answerMargin(remainingMs), clock);
  }

  now(): number {
    return this.clock.now();
  }

  /** Time left before the deadline; negative once it has passed. */
  remaining(): number {
    return this.at - this.clock.now();
  }

  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  /** One attempt starting now: the policy's bound, cut to what is left (at least 1 ms: an attempt has a bound). */
  attemptMs(attemptTimeoutMs: number): number {
    return Math.max(1, Math.min(attemptTimeoutMs, this.remaining()));
  }

  /** Whether an attempt may start after waiting `afterMs`: at least MIN_ATTEMPT_MS must be left then. */
  mayStartAttempt(afterMs = 0): boolean {
    return this.remaining() - afterMs >= MIN_ATTEMPT_MS;
  }

  /** The last moment an attempt may start (epoch ms): the pacer takes no start later than this. */
  lastAttemptStart(): number {
    return this.at - MIN_ATTEMPT_MS;
  }

  /**
   * Cuts a planned wait before a retry so that the `attemptsLeft` attempts still allowed fit: the next may start no
   * later than its equal share of what remains before the last start (less TIMER_SLACK_MS). With 15 s this changes
   * nothing; with a short budget a throttled caller still makes all its attempts, earlier, instead of giving up
   * because one long wait would not fit.
   */
  fitWait(delayMs: number, attemptsLeft: number): number {
    const share = Math.floor((this.lastAttemptStart() - TIMER_SLACK_MS - this.now()) / Math.max(1, attemptsLeft));
    return Math.max(0, Math.min(delayMs, share));
  }

  /**
   * How long after `from` the last poll of a wait may start: MIN_POLL_MS before the deadline. An offset, not an
   * epoch time: at epoch magnitudes an interval a hair over a wait's timeout would round to equal.
   */
  lastPollOffset(from: number): number {
    return this.at - MIN_POLL_MS - from;
  }

  /** The bound of a GetSecretValue: a first read (no keys in hand) or a refresh (see SECRET_READ_MAX_MS). */
  secretReadMs(refresh: boolean): number {
    const left = Math.max(0, this.remaining());
    return refresh ? Math.min(SECRET_REFRESH_MAX_MS, left / 4) : Math.min(SECRET_READ_MAX_MS, left);
  }

  /**
   * When a container waiting for another container's answer (the fleet's cross-container single-flight) stops
   * waiting and asks TRTC itself: after half of its time left, so that it still has the other half to do so.
   */
  followerGiveUpAt(): number {
    const now = this.now();
    return now + (this.at - now) / 2;
  }

  /** How long a lock taken now to ask TRTC may be held: it lapses when this invocation must have answered. */
  lockMs(): number {
    return Math.max(1, this.remaining());
  }

  /** How long writing a callback's record may take (see RECORD_WRITE_MAX_MS), cut to what is left. */
  recordWriteMs(): number {
    return this.storeCallMs(RECORD_WRITE_MAX_MS);
  }

  /** How long one shared-store (Redis) call may take: the store's own bound, cut to what is left. */
  storeCallMs(timeoutMs: number): number {
    return Math.max(1, Math.min(timeoutMs, this.remaining()));
  }

  /**
   * How long work that the answer waits for may still take: until the deadline, less TIMER_SLACK_MS for a late timer
   * and the answer to be written. A caller sharing a request in flight in this container waits this long for its
   * answer; a lock's release to the fleet's store is bounded by it.
   */
  beforeAnswerMs(): number {
    return Math.max(0, this.remaining() - TIMER_SLACK_MS);
  }

  /**
   * Runs `run` with a real AbortSignal that aborts (reason: {@link TimeoutReason}) after `ms`, cut to what is left.
   * One timer, cleared when `run` settles, whichever way: nothing of the bound outlives the operation. Not
   * AbortSignal.timeout: its timer stays armed after the operation ends.
   */
  async withSignal<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const bound = Math.max(0, Math.min(ms, this.remaining()));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutReason(bound)), bound);
    try {
      return await run(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `promise`'s value, or undefined when `ms` pass first (the promise is left to settle on its own; a caller that
   * shares it gives up waiting, not the work). The timer is cleared either way.
   */
  race<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }
}

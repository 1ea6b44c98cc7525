/**
 * Retry budgeting: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * a small attempt cap, and a hard deadline so the function always answers before the platform kills it.
 * Throttling waits differently: out of the window that rejected it first, then spread over the next windows (see
 * backoffDelay). Pure arithmetic plus one loop. How much time an attempt gets, whether one may still start and how
 * a wait is fitted to the time left are the invocation's {@link Deadline}'s to say; its clock and the randomness
 * are injectable for tests.
 */
import type { Deadline } from "./deadline";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff base and cap for ordinary transient faults, ms. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Throttling (RequestLimitExceeded*). TRTC's limit is a count per 1 s window; the callers it turns away all met
   * a full window at the same moment. Each waits the window out (`throttleWindowMs`), then a uniformly random
   * share of a spread that starts at `throttleBaseDelayMs` and doubles with each retry (up to
   * `maxThrottleDelayMs`), so that they arrive spread over the next windows instead of colliding again.
   */
  throttleWindowMs: number;
  throttleBaseDelayMs: number;
  maxThrottleDelayMs: number;
  /** Upper bound for one attempt, ms (the deadline cuts it shorter when less is left). */
  attemptTimeoutMs: number;
}

/**
 * Throttling numbers (docs/performance.md): 60 callers at once against 20 requests per second, 40 of them throttled.
 * A 2 s spread lands the 40 retries at about the rate the limit takes, and the few turned away again get a 4 s
 * spread; all 60 answer within about 8 s, spending 102–109 requests in `npm run bench` (bench/herd-model.ts: p99
 * 110). Full jitter on a 500 ms base sent the 40 back into the same window: after three attempts 20 callers got
 * RequestLimitExceeded, having spent 139 requests.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  throttleWindowMs: 1000,
  throttleBaseDelayMs: 2000,
  maxThrottleDelayMs: 8000,
  attemptTimeoutMs: 5000,
};

/**
 * The wait before retry number `retry` (counting from 0).
 * Ordinary faults: full jitter, uniform in [0, min(maxDelayMs, baseDelayMs * 2^retry)).
 * Throttling: throttleWindowMs plus full jitter, uniform in [0, min(maxThrottleDelayMs, throttleBaseDelayMs * 2^retry)).
 */
export function backoffDelay(retry: number, throttled: boolean, policy: RetryPolicy, random: () => number = Math.random): number {
  if (throttled) {
    const spread = Math.min(policy.maxThrottleDelayMs, policy.throttleBaseDelayMs * 2 ** retry);
    return policy.throttleWindowMs + Math.floor(random() * spread);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Whether another attempt may start after waiting `delayMs`: within the cap, and with time for it then (the
 * deadline decides how much an attempt needs).
 */
export function canRetry(attemptsMade: number, delayMs: number, deadline: Deadline, policy: RetryPolicy): boolean {
  return attemptsMade < policy.maxAttempts && deadline.mayStartAttempt(delayMs);
}

export interface AttemptFailure {
  retryable: boolean;
  throttled: boolean;
}

export interface RetryHooks<T> {
  /**
   * Called before each attempt (the fleet's pacer: lib/fleet/fleet.ts). Resolving to false means no attempt may
   * start before the deadline: the loop ends with the last failure (`notStarted`).
   */
  beforeAttempt?: () => boolean | void | Promise<boolean | void>;
  /** Runs one attempt with its time limit (the deadline's cut, taken once the attempt may start). */
  attempt: (attemptNumber: number, timeoutMs: number) => Promise<T>;
  /** Describes a failure: may it be retried, and is it throttling. */
  classify: (error: unknown) => AttemptFailure;
  random?: () => number;
}

export interface RetryOutcome<T> {
  value?: T;
  error?: unknown;
  /** Attempts made (started). */
  attempts: number;
  /** The last attempt allowed was not started: beforeAttempt refused it. `error` is the failure before, if any. */
  notStarted?: true;
}

/** Runs attempts until one succeeds, a failure is not retryable, the cap is reached or the deadline is near. */
export async function withRetries<T>(deadline: Deadline, policy: RetryPolicy, hooks: RetryHooks<T>): Promise<RetryOutcome<T>> {
  let attempts = 0;
  let lastError: unknown;
  for (;;) {
    // canRetry allowed the wait, but it overran (a timer fired very late): answer with what the last attempt got.
    if (attempts > 0 && !deadline.mayStartAttempt()) return { error: lastError, attempts };
    if ((await hooks.beforeAttempt?.()) === false) return { error: lastError, attempts, notStarted: true };
    attempts++;
    try {
      return { value: await hooks.attempt(attempts, deadline.attemptMs(policy.attemptTimeoutMs)), attempts };
    } catch (error) {
      lastError = error;
      const failure = hooks.classify(error);
      const delay = deadline.fitWait(backoffDelay(attempts - 1, failure.throttled, policy, hooks.random), policy.maxAttempts - attempts);
      if (!failure.retryable || !canRetry(attempts, delay, deadline, policy)) return { error, attempts };
      await deadline.sleep(delay);
    }
  }
}

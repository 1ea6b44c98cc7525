/**
 * Retry budgeting: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * a small attempt cap, and a hard deadline so the function always answers before the platform kills it.
 * Pure arithmetic plus one loop; the clock, sleep and randomness are injectable for tests.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff base and cap for ordinary transient faults, ms. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Backoff base for throttling: TRTC's limit is per second, so waiting less than a window rarely helps. */
  throttleBaseDelayMs: number;
  /** Upper bound for one attempt, ms. */
  attemptTimeoutMs: number;
  /** An attempt with less time than this is not started: it could not finish. */
  minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  throttleBaseDelayMs: 500,
  attemptTimeoutMs: 5000,
  minAttemptMs: 150,
};

/** Full jitter: a uniformly random delay in [0, min(cap, base * 2^retry)). `retry` counts from 0. */
export function backoffDelay(retry: number, throttled: boolean, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = throttled ? policy.throttleBaseDelayMs : policy.baseDelayMs;
  const ceiling = Math.min(policy.maxDelayMs, base * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Time for one attempt starting at `now`: the policy's bound, cut to what is left before the deadline. */
export function attemptTimeout(now: number, deadline: number, policy: RetryPolicy): number {
  return Math.min(policy.attemptTimeoutMs, deadline - now);
}

/**
 * Whether another attempt may start after waiting `delayMs`: within the cap, and with at least `minAttemptMs`
 * left before the deadline once the wait is over.
 */
export function canRetry(attemptsMade: number, now: number, delayMs: number, deadline: number, policy: RetryPolicy): boolean {
  return attemptsMade < policy.maxAttempts && deadline - (now + delayMs) >= policy.minAttemptMs;
}

/**
 * How long before the platform's hard limit the function stops working and answers: 10% of the remaining time,
 * between 100 ms and 1 s. Enough to classify, log and return.
 */
export function answerMargin(remainingMs: number): number {
  return Math.min(1000, Math.max(100, Math.floor(remainingMs * 0.1)));
}

export interface AttemptFailure {
  retryable: boolean;
  throttled: boolean;
}

export interface RetryHooks<T> {
  /** Runs one attempt with its time limit. */
  attempt: (attemptNumber: number, timeoutMs: number) => Promise<T>;
  /** Describes a failure: may it be retried, and is it throttling. */
  classify: (error: unknown) => AttemptFailure;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RetryOutcome<T> {
  value?: T;
  error?: unknown;
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs attempts until one succeeds, a failure is not retryable, the cap is reached or the deadline is near. */
export async function withRetries<T>(deadline: number, policy: RetryPolicy, hooks: RetryHooks<T>): Promise<RetryOutcome<T>> {
  const now = hooks.now ?? Date.now;
  const sleep = hooks.sleep ?? defaultSleep;
  let attempts = 0;
  for (;;) {
    const timeoutMs = attemptTimeout(now(), deadline, policy);
    if (attempts > 0 && timeoutMs < policy.minAttemptMs) break; // unreachable in practice: canRetry checked it
    attempts++;
    try {
      return { value: await hooks.attempt(attempts, Math.max(1, timeoutMs)), attempts };
    } catch (error) {
      const failure = hooks.classify(error);
      const delay = backoffDelay(attempts - 1, failure.throttled, policy, hooks.random);
      if (!failure.retryable || !canRetry(attempts, now(), delay, deadline, policy)) return { error, attempts };
      await sleep(delay);
    }
  }
  return { error: new Error("retry budget exhausted"), attempts };
}

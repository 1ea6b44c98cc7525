/**
 * Retry budgeting: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * a small attempt cap, and a hard deadline so the function always answers before the platform kills it.
 * Throttling waits differently: out of the window that rejected it first, then spread over the next windows (see
 * backoffDelay). Pure arithmetic plus one loop; the clock, sleep and randomness are injectable for tests.
 */

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
  /** Upper bound for one attempt, ms. */
  attemptTimeoutMs: number;
  /** An attempt with less time than this is not started: it could not finish. */
  minAttemptMs: number;
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
  minAttemptMs: 150,
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

/** Timers fire late on a busy machine; a wait fitted to the deadline keeps this much in hand. */
export const TIMER_SLACK_MS = 100;

/**
 * Cuts a planned wait so that the attempts still allowed fit in the time left: the next one may start no later
 * than its equal share of what remains before the last moment an attempt may start (`minAttemptMs` and
 * TIMER_SLACK_MS before the deadline). With 15 s this changes nothing; with a short budget a throttled caller
 * still makes all its attempts, earlier, instead of giving up because one long wait would not fit.
 */
export function fitDelay(delayMs: number, attemptsMade: number, now: number, deadline: number, policy: RetryPolicy): number {
  const attemptsLeft = Math.max(1, policy.maxAttempts - attemptsMade);
  const lastStart = deadline - policy.minAttemptMs - TIMER_SLACK_MS;
  const share = Math.floor((lastStart - now) / attemptsLeft);
  return Math.max(0, Math.min(delayMs, share));
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
  let lastError: unknown;
  for (;;) {
    const timeoutMs = attemptTimeout(now(), deadline, policy);
    // canRetry allowed the wait, but it overran (a timer fired very late): answer with what the last attempt got.
    if (attempts > 0 && timeoutMs < policy.minAttemptMs) return { error: lastError, attempts };
    attempts++;
    try {
      return { value: await hooks.attempt(attempts, Math.max(1, timeoutMs)), attempts };
    } catch (error) {
      lastError = error;
      const failure = hooks.classify(error);
      const failedAt = now();
      const delay = fitDelay(backoffDelay(attempts - 1, failure.throttled, policy, hooks.random), attempts, failedAt, deadline, policy);
      if (!failure.retryable || !canRetry(attempts, failedAt, delay, deadline, policy)) return { error, attempts };
      await sleep(delay);
    }
  }
}

import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, answerMargin, attemptTimeout, backoffDelay, canRetry, fitDelay, withRetries } from "../../lib/retry";

const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2000, throttleBaseDelayMs: 500, attemptTimeoutMs: 5000, minAttemptMs: 150 };

describe("backoff", () => {
  it("is full jitter: uniform in [0, min(cap, base·2^n))", () => {
    expect(backoffDelay(0, false, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, false, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(2, false, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, false, policy, () => 0.999)).toBe(1998); // capped
  });

  it("throttling waits the 1 s window out, then spreads over a window that doubles per retry", () => {
    // Changed deliberately: throttling used to be full jitter on a 500 ms base, whose retries fell into the same full
    // 1 s window, so 60 callers at once left 20 of them throttled (docs/performance.md, "Rate limit").
    expect(backoffDelay(0, true, policy, () => 0)).toBe(1000);
    expect(backoffDelay(0, true, policy, () => 0.5)).toBe(1250);
    expect(backoffDelay(1, true, policy, () => 0.999)).toBe(1999);
    expect(backoffDelay(10, true, policy, () => 0.999)).toBe(1000 + 7992); // spread capped at maxThrottleDelayMs
    expect(backoffDelay(0, true, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(2998);
    expect(backoffDelay(1, true, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(4996);
  });

  it("fits a wait into the time left, an equal share for each attempt still allowed", () => {
    expect(fitDelay(3000, 1, 0, 14_000, policy)).toBe(3000); // plenty of time: unchanged
    expect(fitDelay(2500, 1, 0, 3600, policy)).toBe(1675); // 2 attempts left: (3600 - 150 - 100 slack) / 2
    expect(fitDelay(2500, 2, 2000, 3600, policy)).toBe(1350); // last attempt: all that is left
    expect(fitDelay(500, 2, 3500, 3600, policy)).toBe(0);
  });
});

describe("budget", () => {
  it("cuts an attempt's time-out to what is left before the deadline", () => {
    expect(attemptTimeout(0, 10_000, policy)).toBe(5000);
    expect(attemptTimeout(8000, 10_000, policy)).toBe(2000);
  });

  it("does not retry past the cap or into the deadline", () => {
    expect(canRetry(1, 0, 100, 10_000, policy)).toBe(true);
    expect(canRetry(3, 0, 100, 10_000, policy)).toBe(false);
    expect(canRetry(1, 9800, 100, 10_000, policy)).toBe(false); // 100 ms left after the wait < 150
  });

  it("leaves 10% of the time, between 100 ms and 1 s, to answer", () => {
    expect(answerMargin(500)).toBe(100);
    expect(answerMargin(3000)).toBe(300);
    expect(answerMargin(900_000)).toBe(1000);
  });
});

describe("withRetries", () => {
  /** A fake clock: sleeping and attempts advance it, nothing waits. */
  function clock() {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
  }

  it("retries retryable failures and returns the first success", async () => {
    const c = clock();
    let calls = 0;
    const outcome = await withRetries(10_000, policy, {
      attempt: async () => {
        calls++;
        if (calls < 3) throw new Error("transient");
        return "ok";
      },
      classify: () => ({ retryable: true, throttled: false }),
      ...c,
      random: () => 0.5,
    });
    expect(outcome).toEqual({ value: "ok", attempts: 3 });
  });

  it("stops at once on a failure that is not retryable", async () => {
    const outcome = await withRetries(10_000, policy, {
      attempt: async () => {
        throw new Error("bad input");
      },
      classify: () => ({ retryable: false, throttled: false }),
      ...clock(),
    });
    expect(outcome.attempts).toBe(1);
  });

  it("stops at the attempt cap", async () => {
    const outcome = await withRetries(1e9, policy, {
      attempt: async () => {
        throw new Error("x");
      },
      classify: () => ({ retryable: true, throttled: true }),
      ...clock(),
    });
    expect(outcome.attempts).toBe(3);
  });

  it("makes every allowed attempt against persistent throttling when the budget is short, and answers in time", async () => {
    const c = clock();
    const starts: number[] = [];
    const outcome = await withRetries(3600, policy, {
      attempt: async () => {
        starts.push(c.now());
        c.advance(5);
        throw new Error("RequestLimitExceeded");
      },
      classify: () => ({ retryable: true, throttled: true }),
      ...c,
      random: () => 0.999,
    });
    expect(outcome.attempts).toBe(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1000); // out of the window that turned it away
    expect(c.now()).toBeLessThanOrEqual(3600);
  });

  it("answers with the last failure when a wait overran the time an attempt needs", async () => {
    const c = clock();
    let calls = 0;
    const outcome = await withRetries(3600, policy, {
      attempt: async () => {
        calls++;
        throw new Error(`throttled ${calls}`);
      },
      classify: () => ({ retryable: true, throttled: true }),
      now: c.now,
      sleep: async (ms) => c.advance(ms + 1000), // a timer that fires a second late
      random: () => 0.999,
    });
    expect(outcome.attempts).toBe(2);
    expect((outcome.error as Error).message).toBe("throttled 2");
  });

  it("never lets an attempt run past the deadline, and stops when too little is left", async () => {
    const c = clock();
    const timeouts: number[] = [];
    const outcome = await withRetries(1000, { ...policy, maxAttempts: 10 }, {
      attempt: async (_n, timeoutMs) => {
        timeouts.push(timeoutMs);
        c.advance(timeoutMs); // each attempt times out
        throw new Error("timeout");
      },
      classify: () => ({ retryable: true, throttled: false }),
      ...c,
      random: () => 0,
    });
    expect(timeouts).toEqual([1000]);
    expect(outcome.attempts).toBe(1);
    expect(c.now()).toBeLessThanOrEqual(1000);
  });
});

import { describe, expect, it } from "vitest";
import { Deadline, type Clock } from "../../lib/deadline";
import { DEFAULT_RETRY_POLICY, backoffDelay, canRetry, withRetries } from "../../lib/retry";

const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2000, throttleBaseDelayMs: 500, attemptTimeoutMs: 5000 };

/** A fake clock: sleeping and attempts advance it, nothing waits. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}
/** A deadline at `at` seen at `now` (the time decisions themselves are tested in deadline.test.ts). */
const deadlineAt = (at: number, now = 0, c: Clock = { now: () => now, sleep: async () => undefined }) => new Deadline(at, c);

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

});

describe("budget", () => {
  it("does not retry past the cap or into the deadline", () => {
    expect(canRetry(1, 100, deadlineAt(10_000, 0), policy)).toBe(true);
    expect(canRetry(3, 100, deadlineAt(10_000, 0), policy)).toBe(false);
    expect(canRetry(1, 100, deadlineAt(10_000, 9800), policy)).toBe(false); // 100 ms left after the wait < 150
  });
});

describe("withRetries", () => {
  it("retries retryable failures and returns the first success", async () => {
    const c = clock();
    let calls = 0;
    const outcome = await withRetries(new Deadline(10_000, c), policy, {
      attempt: async () => {
        calls++;
        if (calls < 3) throw new Error("transient");
        return "ok";
      },
      classify: () => ({ retryable: true, throttled: false }),
      random: () => 0.5,
    });
    expect(outcome).toEqual({ value: "ok", attempts: 3 });
  });

  it("stops at once on a failure that is not retryable", async () => {
    const outcome = await withRetries(new Deadline(10_000, clock()), policy, {
      attempt: async () => {
        throw new Error("bad input");
      },
      classify: () => ({ retryable: false, throttled: false }),
    });
    expect(outcome.attempts).toBe(1);
  });

  it("stops at the attempt cap", async () => {
    const outcome = await withRetries(new Deadline(1e9, clock()), policy, {
      attempt: async () => {
        throw new Error("x");
      },
      classify: () => ({ retryable: true, throttled: true }),
    });
    expect(outcome.attempts).toBe(3);
  });

  it("makes every allowed attempt against persistent throttling when the budget is short, and answers in time", async () => {
    const c = clock();
    const starts: number[] = [];
    const outcome = await withRetries(new Deadline(3600, c), policy, {
      attempt: async () => {
        starts.push(c.now());
        c.advance(5);
        throw new Error("RequestLimitExceeded");
      },
      classify: () => ({ retryable: true, throttled: true }),
      random: () => 0.999,
    });
    expect(outcome.attempts).toBe(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(1000); // out of the window that turned it away
    expect(c.now()).toBeLessThanOrEqual(3600);
  });

  it("answers with the last failure when a wait overran the time an attempt needs", async () => {
    const c = clock();
    let calls = 0;
    const late = { now: c.now, sleep: async (ms: number) => c.advance(ms + 1000) }; // a timer that fires a second late
    const outcome = await withRetries(new Deadline(3600, late), policy, {
      attempt: async () => {
        calls++;
        throw new Error(`throttled ${calls}`);
      },
      classify: () => ({ retryable: true, throttled: true }),
      random: () => 0.999,
    });
    expect(outcome.attempts).toBe(2);
    expect((outcome.error as Error).message).toBe("throttled 2");
  });

  it("never lets an attempt run past the deadline, and stops when too little is left", async () => {
    const c = clock();
    const timeouts: number[] = [];
    const outcome = await withRetries(new Deadline(1000, c), { ...policy, maxAttempts: 10 }, {
      attempt: async (_n, timeoutMs) => {
        timeouts.push(timeoutMs);
        c.advance(timeoutMs); // each attempt times out
        throw new Error("timeout");
      },
      classify: () => ({ retryable: true, throttled: false }),
      random: () => 0,
    });
    expect(timeouts).toEqual([1000]);
    expect(outcome.attempts).toBe(1);
    expect(c.now()).toBeLessThanOrEqual(1000);
  });

  it("takes the attempt's bound after beforeAttempt (a pacer's wait), and ends not started when it refuses", async () => {
    const c = clock();
    const timeouts: number[] = [];
    let gate = 0;
    const outcome = await withRetries(new Deadline(6000, c), policy, {
      beforeAttempt: () => {
        gate++;
        if (gate === 2) return false; // no slot before the deadline
        c.advance(2000); // the pacer's wait
      },
      attempt: async (_n, timeoutMs) => {
        timeouts.push(timeoutMs);
        throw new Error("transient");
      },
      classify: () => ({ retryable: true, throttled: false }),
      random: () => 0,
    });
    expect(timeouts).toEqual([4000]); // 6000 − 2000 waited, not the 5000 the policy allows from the start
    expect(outcome).toMatchObject({ attempts: 1, notStarted: true });
    expect((outcome.error as Error).message).toBe("transient");
  });
});

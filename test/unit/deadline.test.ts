/**
 * The invocation's one clock (lib/deadline.ts): every cut of the time left, on an injected clock, and the bounded
 * signal and race, whose timers are counted: none may outlive the operation it bounds.
 */
import { describe, expect, it } from "vitest";
import { Deadline, MIN_ATTEMPT_MS, MIN_POLL_MS, TimeoutReason, answerMargin, type Clock } from "../../lib/deadline";
import { pendingTimers, sleep, tick } from "../support/leaks";

/** A clock standing at `t` (advance by assigning `clock.t`); sleeping advances it, nothing waits. */
function fakeClock(t = 0): Clock & { t: number } {
  const clock = { t, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
  return clock;
}
/** A deadline at `at` seen at `now`. */
const deadlineAt = (at: number, now = 0) => new Deadline(at, fakeClock(now));

describe("the deadline", () => {
  it("leaves 10% of the time, between 100 ms and 1 s, to answer", () => {
    expect(answerMargin(500)).toBe(100);
    expect(answerMargin(3000)).toBe(300);
    expect(answerMargin(900_000)).toBe(1000);
    expect(Deadline.fromRemaining(3000, fakeClock(1000)).at).toBe(1000 + 3000 - 300);
    expect(Deadline.fromRemaining(3000, fakeClock(1000), 500).at).toBe(500 + 3000 - 300);
  });

  it("tells the time on its clock", async () => {
    const clock = fakeClock(100);
    const deadline = new Deadline(1000, clock);
    expect(deadline.now()).toBe(100);
    expect(deadline.remaining()).toBe(900);
    await deadline.sleep(1200);
    expect(deadline.remaining()).toBe(-300);
  });

  it("cuts an attempt's time-out to what is left before the deadline", () => {
    expect(deadlineAt(10_000, 0).attemptMs(5000)).toBe(5000);
    expect(deadlineAt(10_000, 8000).attemptMs(5000)).toBe(2000);
    expect(deadlineAt(10_000, 10_500).attemptMs(5000)).toBe(1); // past it: still a bound
  });

  it("starts no attempt with less than MIN_ATTEMPT_MS left, waits included; the pacer's last start says the same", () => {
    expect(MIN_ATTEMPT_MS).toBe(150);
    expect(deadlineAt(10_000, 0).mayStartAttempt(100)).toBe(true);
    expect(deadlineAt(10_000, 9800).mayStartAttempt(100)).toBe(false); // 100 ms left after the wait < 150
    expect(deadlineAt(10_000, 9850).mayStartAttempt()).toBe(true);
    expect(deadlineAt(10_000, 9851).mayStartAttempt()).toBe(false);
    expect(deadlineAt(10_000).lastAttemptStart()).toBe(9850);
  });

  it("fits a wait into the time left, an equal share for each attempt still allowed", () => {
    expect(deadlineAt(14_000, 0).fitWait(3000, 2)).toBe(3000); // plenty of time: unchanged
    expect(deadlineAt(3600, 0).fitWait(2500, 2)).toBe(1675); // 2 attempts left: (3600 - 150 - 100 slack) / 2
    expect(deadlineAt(3600, 2000).fitWait(2500, 1)).toBe(1350); // last attempt: all that is left
    expect(deadlineAt(3600, 3500).fitWait(500, 1)).toBe(0);
    expect(deadlineAt(3600, 2000).fitWait(2500, 0)).toBe(1350); // none left: as for the last
  });

  it("starts the last poll of a wait MIN_POLL_MS before the deadline, as an offset from the wait's start", () => {
    expect(MIN_POLL_MS).toBe(1000);
    expect(deadlineAt(4500).lastPollOffset(0)).toBe(3500);
    expect(deadlineAt(1_764_582_060_000).lastPollOffset(1_764_582_000_000)).toBe(59_000);
  });

  it("bounds a Secrets Manager read: a first read up to 3 s, a refresh up to 1 s or a quarter of the time left", () => {
    expect(deadlineAt(10_000, 0).secretReadMs(false)).toBe(3000);
    expect(deadlineAt(1350, 0).secretReadMs(false)).toBe(1350);
    expect(deadlineAt(10_000, 0).secretReadMs(true)).toBe(1000);
    expect(deadlineAt(1800, 0).secretReadMs(true)).toBe(450);
    expect(deadlineAt(1800, 2000).secretReadMs(false)).toBe(0);
  });

  it("a follower gives up after half of its time left; a lock lapses with the deadline; a store call fits in it", () => {
    expect(deadlineAt(3000, 1000).followerGiveUpAt()).toBe(2000);
    expect(deadlineAt(3000, 1000).lockMs()).toBe(2000);
    expect(deadlineAt(3000, 3500).lockMs()).toBe(1);
    expect(deadlineAt(3000, 1000).storeCallMs(50)).toBe(50);
    expect(deadlineAt(3000, 2980).storeCallMs(50)).toBe(20);
  });

  it("a caller sharing a request in flight waits until the deadline less the timer slack", () => {
    expect(deadlineAt(3000, 1000).beforeAnswerMs()).toBe(1900);
    expect(deadlineAt(3000, 2950).beforeAnswerMs()).toBe(0);
  });
});

describe("withSignal: a real AbortSignal whose one timer ends with the operation", () => {
  /**
   * Runs `operation` under withSignal and counts timers: while it runs (the bound's is one more than before), and
   * after (the bound's is gone). Compared with the count while it ran, so that another timer of this process
   * ending meanwhile cannot hide a leak.
   */
  async function counted<T>(ms: number, deadline: Deadline, operation: (signal: AbortSignal) => Promise<T>) {
    await tick();
    const before = pendingTimers();
    let during = -1;
    const settled = await deadline
      .withSignal(ms, (signal) => {
        during = pendingTimers();
        return operation(signal);
      })
      .then((value): { value?: T; error?: unknown } => ({ value }), (error: unknown): { value?: T; error?: unknown } => ({ error }));
    await tick();
    return { ...settled, before, during, after: pendingTimers() };
  }

  it("after success: the timer is cleared and the signal never aborts", async () => {
    let seen: AbortSignal | undefined;
    const run = await counted(5000, new Deadline(Date.now() + 10_000), async (signal) => {
      seen = signal;
      return "ok";
    });
    expect(run.value).toBe("ok");
    expect(seen).toBeInstanceOf(AbortSignal);
    expect(seen!.aborted).toBe(false);
    expect(run.during).toBe(run.before + 1);
    expect(run.after).toBeLessThanOrEqual(run.during - 1);
  });

  it("after failure: the timer is cleared and the failure passed on, thrown at once or later", async () => {
    const rejected = await counted(5000, new Deadline(Date.now() + 10_000), () => sleep(5).then(() => Promise.reject(new Error("broken"))));
    expect(rejected.error).toMatchObject({ message: "broken" });
    expect(rejected.after).toBeLessThanOrEqual(rejected.during - 1);
    const thrown = await counted(5000, new Deadline(Date.now() + 10_000), () => {
      throw new Error("at once");
    });
    expect(thrown.error).toMatchObject({ message: "at once" });
    expect(thrown.after).toBeLessThanOrEqual(thrown.during - 1);
  });

  it("after abort: the signal aborts at the bound, cut to the time left, with a TimeoutReason carrying it", async () => {
    const started = Date.now();
    const run = await counted(5000, new Deadline(Date.now() + 60), (signal) =>
      new Promise<unknown>((resolve) => signal.addEventListener("abort", () => resolve(signal.reason), { once: true })),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(run.value).toBeInstanceOf(TimeoutReason);
    expect(run.value).toMatchObject({ name: "TimeoutError" });
    expect((run.value as TimeoutReason).ms).toBeLessThanOrEqual(60);
    expect(run.after).toBeLessThanOrEqual(run.during - 1);
  });

  it("a deadline already past gives a signal that aborts at once", async () => {
    const run = await counted(5000, new Deadline(Date.now() - 10), async (signal) => {
      await sleep(5);
      return signal.aborted;
    });
    expect(run.value).toBe(true);
  });
});

describe("race", () => {
  /** Races `promise` and counts timers as in withSignal's tests: one more while it waits, gone once it settled. */
  async function counted<T>(promise: Promise<T>, ms: number) {
    await tick();
    const before = pendingTimers();
    const raced = new Deadline(Date.now() + 10_000).race(promise, ms);
    const during = pendingTimers();
    const settled = await raced.then((value): { value?: T; error?: unknown } => ({ value }), (error: unknown): { value?: T; error?: unknown } => ({ error }));
    await tick();
    return { ...settled, before, during, after: pendingTimers() };
  }

  it("answers the promise's value, or undefined when the bound passes first; its timer cleared either way", async () => {
    const answered = await counted(sleep(5).then(() => 7), 5000);
    expect(answered.value).toBe(7);
    expect(answered.during).toBeGreaterThanOrEqual(answered.before + 1);
    expect(answered.after).toBeLessThanOrEqual(answered.during - 2); // the race's and the sleep's

    const late = await counted(new Promise<number>(() => undefined), 20);
    expect(late).toMatchObject({ value: undefined });
    expect(late.after).toBeLessThanOrEqual(late.during - 1);

    const failed = await counted(sleep(5).then(() => Promise.reject(new Error("no"))), 5000);
    expect(failed.error).toMatchObject({ message: "no" });
    expect(failed.after).toBeLessThanOrEqual(failed.during - 2);
  });
});

import { describe, expect, it } from "vitest";
import { Deadline } from "../../lib/deadline";
import type { TaskResult } from "../../lib/query-task";
import { waitForStatus } from "../../lib/wait";

const success = (status: string): TaskResult => ({
  ok: true, sdkAppId: 1, taskId: "t", status, running: status === "InProgress", region: "ap-singapore", requestId: "r", checkedAt: "",
});
const failure = (code: string, retryable: boolean): TaskResult => ({ ok: false, sdkAppId: 1, taskId: "t", error: { code, message: code, retryable }, requestId: null });

/** A virtual clock and a scripted upstream: each poll takes 10 ms and answers the next scripted result. */
function setup(answers: TaskResult[]) {
  const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
  const pollTimes: number[] = [];
  const poll = async () => {
    pollTimes.push(clock.t);
    clock.t += 10;
    return { result: answers[Math.min(pollTimes.length - 1, answers.length - 1)]!, stats: { attempts: 1, upstreamMs: 10 } };
  };
  return { clock, poll, pollTimes };
}

/** The schedule without its random phase: polls exactly every interval from the first. */
const NO_PHASE = { random: () => 0 };

describe("waitForStatus", () => {
  it("polls every pollIntervalSeconds until the status is reached", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress"), success("InProgress"), success("NotExist")]);
    const { result, stats } = await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 2, waitTimeoutSeconds: 30 }, new Deadline(60_000, clock), NO_PHASE);
    expect(pollTimes).toEqual([0, 2000, 4000]);
    expect(result).toMatchObject({ ok: true, status: "NotExist", wait: { for: "NotExist", satisfied: true, polls: 3, waitedMs: 4010 } });
    expect(stats.attempts).toBe(3);
  });

  it("stops unsatisfied when the next poll would start after waitTimeoutSeconds", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    const { result } = await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 5, waitTimeoutSeconds: 12 }, new Deadline(60_000, clock), NO_PHASE);
    expect(pollTimes).toEqual([0, 5000, 10000]);
    expect(result).toMatchObject({ ok: true, status: "InProgress", wait: { satisfied: false, polls: 3 } });
  });

  it("never starts a poll within a second of the invocation's deadline", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 1, waitTimeoutSeconds: 900 }, new Deadline(4500, clock), NO_PHASE);
    expect(pollTimes).toEqual([0, 1000, 2000, 3000]);
  });

  it("defaults: 5 s between polls, 60 s in all", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    await waitForStatus(poll, { waitFor: "NotExist" }, new Deadline(600_000, clock), NO_PHASE);
    expect(pollTimes.length).toBe(13);
    expect(pollTimes[1]).toBe(5000);
  });

  it("keeps polling through retryable failures, stops at one that cannot pass", async () => {
    const a = setup([failure("RequestLimitExceeded", true), success("InProgress")]);
    const first = await waitForStatus(a.poll, { waitFor: "InProgress", pollIntervalSeconds: 1 }, new Deadline(60_000, a.clock), NO_PHASE);
    expect(first.result).toMatchObject({ ok: true, wait: { satisfied: true, polls: 2 } });
    const b = setup([failure("AuthFailure.SignatureFailure", false), success("NotExist")]);
    const second = await waitForStatus(b.poll, { waitFor: "NotExist", pollIntervalSeconds: 1 }, new Deadline(60_000, b.clock), NO_PHASE);
    expect(second.result).toMatchObject({ ok: false, error: { code: "AuthFailure.SignatureFailure" }, wait: { satisfied: false, polls: 1 } });
  });
});

describe("waitForStatus's random phase", () => {
  it("brings the whole schedule forward by up to half an interval (5 s at most), the same for every poll", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 2, waitTimeoutSeconds: 7 }, new Deadline(60_000, clock), { random: () => 0.5 });
    expect(pollTimes).toEqual([0, 1500, 3500, 5500]);
  });

  it("spreads waits started together over half an interval instead of polling in lock-step", async () => {
    const firstScheduled = [0, 0.25, 0.5, 0.75, 0.999].map(async (r) => {
      const { clock, poll, pollTimes } = setup([success("InProgress")]);
      await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 4, waitTimeoutSeconds: 5 }, new Deadline(60_000, clock), { random: () => r });
      return pollTimes[1];
    });
    expect(await Promise.all(firstScheduled)).toEqual([4000, 3500, 3000, 2500, 2002]);
  });

  it("at most 5 s, whatever the interval", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 60, waitTimeoutSeconds: 100 }, new Deadline(600_000, clock), { random: () => 0.999 });
    expect(pollTimes).toEqual([0, 55_005]);
  });
});

describe("waitForStatus listening for a recorded stop", () => {
  /** A listener that hears of the stop at `stopAt` (virtual ms), reading every 250 ms as the function does. */
  const listener = (clock: { t: number }, stopAt: number) => async (until: number) => {
    for (;;) {
      if (clock.t >= stopAt) return true;
      if (clock.t >= until) return false;
      clock.t = Math.min(until, clock.t + 250);
    }
  };

  it("polls at once when the stop is heard of, whatever the interval: the wait ends within a read of the stop", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress"), success("NotExist")]);
    const { result } = await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 300, waitTimeoutSeconds: 900 }, new Deadline(600_000, clock), { ...NO_PHASE, listen: listener(clock, 7_100) });
    expect(pollTimes).toEqual([0, 7260]);
    expect(result).toMatchObject({ status: "NotExist", wait: { satisfied: true, polls: 2 } });
  });

  it("keeps listening after its last poll, until waitTimeoutSeconds", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress"), success("InProgress"), success("NotExist")]);
    const { result } = await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 30, waitTimeoutSeconds: 40 }, new Deadline(600_000, clock), { ...NO_PHASE, listen: listener(clock, 35_000) });
    expect(pollTimes).toEqual([0, 30_000, 35_010]);
    expect(result).toMatchObject({ wait: { satisfied: true, polls: 3 } });
  });

  it("until a second before the deadline, and ends unsatisfied when no stop comes", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    const { result } = await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 300, waitTimeoutSeconds: 900 }, new Deadline(10_000, clock), { ...NO_PHASE, listen: listener(clock, Infinity) });
    expect(pollTimes).toEqual([0]);
    expect(clock.t).toBe(9_000);
    expect(result).toMatchObject({ status: "InProgress", wait: { satisfied: false, polls: 1, waitedMs: 9_000 } });
  });

  it("heard once: when TRTC still says InProgress after the stop, polls keep their schedule (no tight loop)", async () => {
    const { clock, poll, pollTimes } = setup([success("InProgress")]);
    await waitForStatus(poll, { waitFor: "NotExist", pollIntervalSeconds: 5, waitTimeoutSeconds: 12 }, new Deadline(600_000, clock), { ...NO_PHASE, listen: listener(clock, 1_000) });
    expect(pollTimes).toEqual([0, 1010, 5000, 10000]);
  });
});

describe("waitForStatus at epoch times", () => {
  it("does not start a poll an interval a hair over the timeout would put after it", async () => {
    const s = setup([success("InProgress")]);
    s.clock.t = 1_764_582_000_000; // an epoch time: its ulp (2^-12 ms) swallows the 2.4e-12 s difference below
    const { result } = await waitForStatus(s.poll, { waitFor: "NotExist", waitTimeoutSeconds: 1, pollIntervalSeconds: 1.0000000000000024 }, new Deadline(s.clock.t + 60_000, s.clock), NO_PHASE);
    expect(result.wait.polls).toBe(1);
  });
});

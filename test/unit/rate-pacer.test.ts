import { describe, expect, it } from "vitest";
import { RatePacer, type PacerClock } from "../../lib/rate-pacer";

/** A virtual clock: sleep advances time (optionally late, as busy timers are). */
function virtualClock(lateMs = 0): PacerClock & { t: number } {
  const clock = {
    t: 1_000_000,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms + lateMs;
    },
  };
  return clock;
}

function maxInWindow(starts: number[], windowMs = 1000): number {
  let max = 0;
  for (let first = 0, last = 0; last < starts.length; last++) {
    while (starts[last]! - starts[first]! >= windowMs) first++;
    max = Math.max(max, last - first + 1);
  }
  return max;
}

describe("RatePacer", () => {
  it("spaces starts evenly: 18 per second, never more in any rolling second", async () => {
    const clock = virtualClock();
    const pacer = new RatePacer(18, clock);
    const starts: number[] = [];
    for (let i = 0; i < 100; i++) {
      expect(await pacer.acquire()).toBe(true);
      starts.push(clock.t);
    }
    expect(maxInWindow(starts)).toBe(18);
    expect(starts[99]! - starts[0]!).toBeCloseTo((99 * 1000) / 18, 0);
  });

  it("late timers do not release a burst", async () => {
    const clock = virtualClock(40);
    const pacer = new RatePacer(18, clock);
    const starts: number[] = [];
    for (let i = 0; i < 60; i++) {
      await pacer.acquire();
      starts.push(clock.t);
    }
    expect(maxInWindow(starts)).toBeLessThanOrEqual(18);
  });

  it("concurrent callers get slots in the order they asked", async () => {
    const clock = virtualClock();
    const pacer = new RatePacer(10, clock);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => pacer.acquire().then(() => order.push(i))));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("refuses, taking nothing, a slot later than the caller's last moment", async () => {
    const clock = virtualClock();
    const pacer = new RatePacer(10, clock); // 100 ms apart
    const start = clock.t;
    expect(await pacer.acquire(start + 150)).toBe(true); // at start
    expect(await pacer.acquire(start + 150)).toBe(true); // at +100
    expect(await pacer.acquire(start + 150)).toBe(false); // +200 is too late
    expect(clock.t).toBe(start + 100);
    expect(await pacer.acquire()).toBe(true); // the refused slot is still free
    expect(clock.t).toBe(start + 200);
  });

  it("takes a free start synchronously, never ahead of queued callers, and never past `latest`", async () => {
    const clock = virtualClock();
    const pacer = new RatePacer(18, clock);
    expect(pacer.tryAcquire()).toBe(true); // free: taken at once
    expect(pacer.tryAcquire()).toBe(false); // the next is 55 ms away: nothing taken
    const queued = pacer.acquire();
    expect(pacer.tryAcquire()).toBe(false); // someone waits: no overtaking
    expect(await queued).toBe(true);
    expect(pacer.tryAcquire(clock.t - 1)).toBe(false);
  });

  it("a very high limit (a limitless emulator) neither sleeps nor keeps more than a window of starts", async () => {
    const clock = virtualClock();
    const slept: number[] = [];
    const pacer = new RatePacer(1_000_000, { now: clock.now, sleep: async (ms) => void slept.push(ms) });
    for (let i = 0; i < 5000; i++) {
      expect(await pacer.acquire()).toBe(true);
      clock.t += i % 3 === 0 ? 1 : 0; // several starts within one millisecond
    }
    expect(slept).toEqual([]);
    const kept = () => (pacer as unknown as { recent: number[] }).recent.length;
    expect(kept()).toBeLessThanOrEqual(5000);
    clock.t += 1001;
    pacer.tryAcquire();
    expect(kept()).toBe(1);
  });
});

/**
 * The Redis store's pure parts, with an injected clock and timers: how long a call is waited for (slow is not dead),
 * Redis's clock as a container reads it, the checks on answers, the keys, and fault kinds.
 */
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent, parseEntry, parseLookup, parseRecord, parseReservation } from "../../lib/fleet/redis/answers";
import { RedisClock } from "../../lib/fleet/redis/clock";
import { faultKind, InvalidAnswer } from "../../lib/fleet/redis/faults";
import { storeKeys } from "../../lib/fleet/redis/keys";
import { Patience, type Outcome } from "../../lib/fleet/redis/patience";

/** A clock and a timer queue the test moves by hand: `advance(ms, lateBy)` fires what is due, each `lateBy` late. */
function fakeTime() {
  let now = 1_000;
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  return {
    now: () => now,
    later: (ms: number, fn: () => void) => {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
    /** Moves the clock to each due timer in turn (plus `lateBy`: a process starved of CPU) and fires it. */
    async advance(ms: number, lateBy = 0) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        now = Math.max(now, due.at + lateBy);
        due.fn();
        await Promise.resolve();
      }
      now = Math.max(now, until);
    },
    pending: () => timers.filter((t) => !t.cancelled).length,
  };
}

function patience(deadAfterMs = 200, tickMs = 10) {
  const time = fakeTime();
  let deaths = 0;
  const p = new Patience({ deadAfterMs, tickMs, onDead: () => deaths++, now: time.now, later: time.later });
  return { p, time, deaths: () => deaths };
}

const never = () => new Promise<never>(() => undefined);
const track = <T>(promise: Promise<Outcome<T>>) => {
  const seen: { outcome?: Outcome<T> } = {};
  void promise.then((outcome) => (seen.outcome = outcome));
  return seen;
};

describe("patience: slow is not dead", () => {
  it("a connection silent for deadAfterMs while this process listened is dead; every call waiting on it says so", async () => {
    const { p, time, deaths } = patience();
    const a = track(p.wait(never(), 10_000));
    const b = track(p.wait(never(), 10_000));
    await time.advance(190);
    expect(a.outcome).toBeUndefined();
    await time.advance(10);
    expect(a.outcome).toEqual({ kind: "dead" });
    expect(b.outcome).toEqual({ kind: "dead" });
    expect(deaths()).toBe(1);
    expect(time.pending()).toBe(0);
  });

  it("time this process could not listen (timers firing late: starved of CPU) does not count as silence", async () => {
    const { p, time } = patience();
    let answer!: (value: string) => void;
    const call = track(p.wait(new Promise<string>((resolve) => (answer = resolve)), 10_000));
    // Every 10 ms tick fires 90 ms late: 1 s of wall time is only about 100 ms of listening.
    await time.advance(1_000, 90);
    expect(call.outcome).toBeUndefined();
    answer("late but alive");
    await Promise.resolve();
    await Promise.resolve();
    expect(call.outcome).toEqual({ kind: "answer", value: "late but alive" });
    expect(time.pending()).toBe(0);
  });

  it("any answer restarts the silence: a busy server answering in turn is alive", async () => {
    const { p, time, deaths } = patience();
    const resolvers: Array<() => void> = [];
    const calls = [0, 1, 2].map(() => track(p.wait(new Promise<void>((resolve) => resolvers.push(resolve)), 10_000)));
    await time.advance(150);
    resolvers[0]!();
    await time.advance(150);
    resolvers[1]!();
    await time.advance(150);
    expect(calls[2]!.outcome).toBeUndefined();
    await time.advance(60);
    expect(calls[2]!.outcome).toEqual({ kind: "dead" });
    expect(deaths()).toBe(1);
  });

  it("a caller's own limit ends its wait (late), and leaves the connection and the other callers alone", async () => {
    const { p, time, deaths } = patience();
    const short = track(p.wait(never(), 30));
    const long = track(p.wait(never(), 10_000));
    await time.advance(30);
    expect(short.outcome).toEqual({ kind: "late" });
    expect(long.outcome).toBeUndefined();
    await time.advance(200);
    expect(long.outcome).toEqual({ kind: "dead" });
    expect(deaths()).toBe(1);
  });

  it("a refused command is a fault at once, and nothing is left ticking", async () => {
    const { p, time } = patience();
    const error = new Error("Connection is closed.");
    const call = track(p.wait(Promise.reject(error), 10_000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(call.outcome).toEqual({ kind: "fault", error });
    expect(time.pending()).toBe(0);
  });
});

describe("Redis's clock", () => {
  it("keeps the reading with the least delay, so a start is never converted early", () => {
    const clock = new RedisClock();
    expect(clock.known).toBe(false);
    expect(clock.toRedis(5_000)).toBe(0);
    // Redis is 700 ms ahead; answers read 40, 3 and 90 ms after Redis's now.
    clock.sample(10_700, 10_040);
    clock.sample(11_700, 11_003);
    clock.sample(12_700, 12_090);
    expect(clock.toLocal(20_700)).toBe(20_003);
    expect(clock.toRedis(20_000)).toBe(20_697);
  });
});

describe("answers are checked", () => {
  it("reservations, lookups, entries and records of any other shape are invalid", () => {
    expect(parseReservation([1_500, 1_000])).toEqual({ at: 1_500, redisNow: 1_000 });
    expect(parseReservation([-1, 1_000])).toEqual({ at: -1, redisNow: 1_000 });
    for (const bad of [[999, 1_000], [1_000 + 3_600_001, 1_000], [1.5, 1], ["1", 1], [1], null, "OK"]) {
      expect(() => parseReservation(bad)).toThrow(InvalidAnswer);
    }
    const value = JSON.stringify({ status: "InProgress", requestId: "r", checkedAt: 5 });
    expect(parseLookup([1, value, 300], "t")).toEqual({ kind: "hit", entry: { status: "InProgress", requestId: "r", checkedAt: 5 }, ttlMs: 300 });
    expect(parseLookup([2], "t")).toEqual({ kind: "leader", token: "t" });
    expect(parseLookup([3, -2], "t")).toEqual({ kind: "wait", ms: 0 });
    expect(parseLookup([4], "t")).toBe("late");
    for (const bad of [[5], [1, "{}", 3], [1, "not json", 3], [3, "x"], [2, 1], 1]) expect(() => parseLookup(bad, "t")).toThrow(InvalidAnswer);
    expect(() => parseEntry("x".repeat(5000))).toThrow(InvalidAnswer);
  });

  it("an event's encoding is its identity, and decodes back", () => {
    const event = { type: 702, status: 0, at: 1_764_000_000_000 };
    expect(encodeEvent(event)).toBe("702:0:1764000000000");
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
    for (const bad of ["702:0", "a:b:c", "1:2:3:4", 7, "702:0:1e3"]) expect(() => decodeEvent(bad)).toThrow(InvalidAnswer);
    const final = JSON.stringify({ status: "NotExist", requestId: "r", checkedAt: 9 });
    expect(parseRecord([["701:0:1", "702:0:2"], final], 20)).toEqual({
      events: [{ type: 701, status: 0, at: 1 }, { type: 702, status: 0, at: 2 }],
      final: { status: "NotExist", requestId: "r", checkedAt: 9 },
    });
    expect(parseRecord([[], null], 20)).toBeNull();
    expect(parseRecord([[], final], 20)).toEqual({ events: [], final: { status: "NotExist", requestId: "r", checkedAt: 9 } });
    expect(() => parseRecord([Array(21).fill("701:0:1"), null], 20)).toThrow(InvalidAnswer);
  });
});

describe("keys", () => {
  it("every key of one task shares its hash tag; the budget is one key per scope", () => {
    const keys = storeKeys("1250000000");
    const task = { sdkAppId: 1400000001, taskId: "task-1", region: "ap-singapore" };
    expect(keys.rate).toBe("trtc:1250000000:rate:DescribeStreamIngest");
    expect([keys.status(task), keys.lock(task), keys.events(task), keys.final(task)]).toEqual([
      "trtc:1250000000:status:ap-singapore:{1400000001/task-1}",
      "trtc:1250000000:lock:ap-singapore:{1400000001/task-1}",
      "trtc:1250000000:events:{1400000001/task-1}",
      "trtc:1250000000:final:{1400000001/task-1}",
    ]);
  });
});

describe("fault kinds", () => {
  it("name what broke, from ioredis's and Node's errors, never by message", () => {
    const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
    expect(faultKind(new Error("WRONGPASS invalid username-password pair"))).toBe("auth");
    expect(faultKind(coded("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"))).toBe("tls");
    expect(faultKind(coded("Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID"))).toBe("tls");
    expect(faultKind(new Error("connect ECONNREFUSED 127.0.0.1:6379"))).toBe("unreachable");
    expect(faultKind(new Error("Connection is closed."))).toBe("unreachable");
    expect(faultKind(new Error("OOM command not allowed when used memory > 'maxmemory'."))).toBe("error");
    expect(faultKind(new InvalidAnswer())).toBe("invalid-answer");
  });
});

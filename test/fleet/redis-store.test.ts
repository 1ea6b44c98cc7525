/**
 * The Redis store on a real redis-server, in this process: the budget's rolling-second rule, what the keys are named
 * and that every one of them expires, errors never cached, no lock left for nobody (a lookup run late, a release
 * whose SET is refused), a slow Redis waited for and a silent one not, and the callback record shared by two stores.
 */
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BURST_SETTLE_MS, createRedisStore, RESERVE, RETRY_AFTER_MS } from "../../lib/fleet/redis-store";
import type { SharedStore, StoreFault } from "../../lib/fleet/store";
import { startRedis, type TestRedis } from "../support/redis-server";

let redis: TestRedis;
let admin: Redis;
const stores: SharedStore[] = [];
const faults: StoreFault[] = [];

beforeAll(async () => {
  redis = await startRedis({ args: ["--enable-debug-command", "yes"] });
  admin = await redis.admin();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await redis?.stop();
});

function store(scope = "store-test", timeoutMs = 200): SharedStore {
  const s = createRedisStore({ url: redis.url, timeoutMs, scope, cluster: false, onFault: (kind) => faults.push(kind) });
  stores.push(s);
  return s;
}

const entry = (i: number) => ({ status: "InProgress", requestId: `req-${i}`, checkedAt: 1_700_000_000_000 + i });
const ref = (taskId: string) => ({ sdkAppId: 1400000001, taskId, region: "ap-singapore" });
/** A task's key as docs/fleet.md names it: the task's hash tag, the region for statuses and locks. */
const key = (scope: string, kind: "status" | "lock" | "events" | "final", taskId: string) =>
  `trtc:${scope}:${kind}:${kind === "status" || kind === "lock" ? "ap-singapore:" : ""}{1400000001/${taskId}}`;

describe("the rate budget", () => {
  it("the script never reserves more than the limit in any rolling second of Redis's clock, from any number of clients", async () => {
    const other = new Redis(redis.url);
    try {
      const limit = 10;
      const key = "trtc:script:rate:DescribeStreamIngest";
      const answers = (await Promise.all(Array.from({ length: 36 }, (_, i) => (i % 2 ? admin : other).eval(RESERVE, 1, key, limit, 1000, 10_000, BURST_SETTLE_MS)))) as [number, number][];
      const slots = answers.map(([at]) => at).sort((x, y) => x - y);
      for (const t of slots) expect(slots.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(limit);
      for (const [i, t] of slots.entries()) if (i > 0) expect(t - slots[i - 1]!).toBeGreaterThanOrEqual(1000 / limit);
      expect(slots.at(-1)! - slots[0]!).toBeGreaterThanOrEqual(3500);
      // One pause after the burst's first `limit` starts, and only that one.
      expect(slots[limit]! - slots[0]!).toBeGreaterThanOrEqual(1000 + BURST_SETTLE_MS);
      expect(slots[2 * limit]! - slots[limit]!).toBeLessThanOrEqual(1001);
    } finally {
      other.disconnect();
    }
  });

  it("across stores (containers), converted to this process's clock", async () => {
    const a = store("budget");
    const b = store("budget");
    const limit = 10;
    const starts = (await Promise.all(Array.from({ length: 36 }, (_, i) => (i % 2 ? a : b).reserveStart(limit, 10_000)))) as number[];
    expect(starts.every((t) => typeof t === "number" && t > 0)).toBe(true);
    const sorted = [...starts].sort((x, y) => x - y);
    // Every rolling second holds at most `limit` starts. The slots are exact on Redis's clock; each store turns
    // them into this process's clock through its own estimate of the offset, read in whole milliseconds, so two
    // stores' starts may differ from their slots by a few milliseconds, more on a busy machine (where a first reading
    // of Redis's clock may come late; later ones correct it). 40 ms allowed here.
    for (const t of sorted) expect(sorted.filter((u) => u >= t && u < t + 960).length).toBeLessThanOrEqual(limit);
    // Spaced evenly, not in bursts: 36 starts at 10/s span about 3.5 s.
    expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThanOrEqual(3400);
    // No start further than the max wait: nothing reserved, -1.
    expect(await a.reserveStart(limit, 100)).toBe(-1);
    const key = "trtc:budget:rate:DescribeStreamIngest";
    // The last `limit` starts, and one more: whether they opened a burst (see RESERVE).
    expect(await admin.llen(key)).toBe(limit + 1);
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(sorted.at(-1)! - Date.now() + 2000 + 50);
  });
});

describe("the status cache", () => {
  it("every key is scoped and expires, however many tasks; errors are never cached", async () => {
    const s = store("scoped");
    // Long enough that the first statuses are still there when the 200th is written on a busy machine (400 calls).
    const ttlMs = 2900;
    for (let i = 0; i < 200; i++) {
      const found = await s.lookup(ref(`task-${i}`), 5000);
      expect(found?.kind).toBe("leader");
      // Every other task "failed": released without an entry.
      await s.release(ref(`task-${i}`), (found as { token: string }).token, i % 2 ? undefined : entry(i), ttlMs);
    }
    await s.reserveStart(18, 1000);
    const keys = await admin.keys("trtc:scoped:*");
    // 100 statuses, the budget, and no lock.
    expect(keys.filter((k) => k.includes(":lock:"))).toEqual([]);
    expect(keys.filter((k) => k.startsWith("trtc:scoped:status:ap-singapore:{"))).toHaveLength(100);
    expect(keys).toHaveLength(101);
    const ttls = await Promise.all(keys.map((k) => admin.pttl(k)));
    expect(ttls.every((t) => t > 0 && t <= 3000)).toBe(true);
    const usage = await Promise.all(keys.slice(0, 5).map((k) => admin.memory("USAGE", k)));
    console.info(`200 tasks: ${keys.length} keys, all expiring within ${Math.max(...ttls)} ms; memory usage of one status ${usage[0]} bytes`);
    // A hit gives the entry as it was cached: TRTC's requestId and the time TRTC was asked.
    const hit = await s.lookup(ref("task-0"), 5000);
    expect(hit).toMatchObject({ kind: "hit", entry: entry(0) });
    // The failed one is not cached: the next caller leads again.
    expect((await s.lookup(ref("task-1"), 5000))?.kind).toBe("leader");
  });

  it("a second container waits for the lock, and the lock of a leader that never comes back expires", async () => {
    const leader = store("lapse");
    const follower = store("lapse");
    expect((await leader.lookup(ref("t"), 300))?.kind).toBe("leader");
    const waiting = await follower.lookup(ref("t"), 300);
    expect(waiting?.kind).toBe("wait");
    expect((waiting as { ms: number }).ms).toBeLessThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await follower.lookup(ref("t"), 300))?.kind).toBe("leader");
  });

  it("a release whose SET is refused (OOM at maxmemory) still drops the lock", async () => {
    const s = store("oom");
    const found = await s.lookup(ref("t"), 30_000);
    expect(found?.kind).toBe("leader");
    expect(await admin.exists(key("oom", "lock", "t"))).toBe(1);
    await admin.config("SET", "maxmemory-policy", "noeviction");
    await admin.config("SET", "maxmemory", "1");
    try {
      await s.release(ref("t"), (found as { token: string }).token, entry(1), 1000);
      expect(await admin.exists(key("oom", "lock", "t"))).toBe(0);
    } finally {
      await admin.config("SET", "maxmemory", "0");
    }
  });

  it("a lookup that runs after its caller gave up (a paused server) takes no lock", async () => {
    const s = store("late", 150);
    await s.reserveStart(18, 1000); // a first sample of Redis's clock
    redis.pause();
    try {
      expect(await s.lookup(ref("t"), 30_000)).toBeUndefined();
      // Paused past the guard's allowance (the skew may lag Redis's clock by up to that much).
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS + 100));
    } finally {
      redis.resume();
    }
    // The server runs what it had been sent when it resumes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await admin.exists(key("late", "lock", "t"))).toBe(0);
  });

  it("a lookup that runs a little after its caller gave up (a short pause) leaves no lock either: it is undone", async () => {
    const s = store("brief", 150);
    await s.reserveStart(18, 1000);
    redis.pause();
    try {
      expect(await s.lookup(ref("t"), 30_000)).toBeUndefined();
    } finally {
      redis.resume();
    }
    for (let i = 0; i < 50 && (await admin.exists(key("brief", "lock", "t"))); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await admin.exists(key("brief", "lock", "t"))).toBe(0);
  });
});

describe("a release that cannot be sent", () => {
  it("(the connection was closed under it) drops the lock on the next connection", async () => {
    const s = store("unreleased", 200);
    const found = await s.lookup(ref("t"), 30_000);
    expect(found?.kind).toBe("leader");
    expect(await admin.exists(key("unreleased", "lock", "t"))).toBe(1);
    // The server closes the connection (an idle time-out, a failover, CLIENT KILL) while the leader asks TRTC.
    await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.release(ref("t"), (found as { token: string }).token, entry(1), 1000);
    // ioredis reconnects after 100 ms; the lock must not wait for its 30 s to lapse.
    for (let i = 0; i < 50 && (await admin.exists(key("unreleased", "lock", "t"))); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await admin.exists(key("unreleased", "lock", "t"))).toBe(0);
    // The value is not cached late (it would outlive its TTL): the next caller asks TRTC.
    expect(await admin.exists(key("unreleased", "status", "t"))).toBe(0);
  });

  it("(the server was paused, the connection replaced) drops the lock once the server is back", async () => {
    const s = store("unreleased-paused", 150);
    await s.reserveStart(18, 1000);
    const found = await s.lookup(ref("t"), 30_000);
    expect(found?.kind).toBe("leader");
    expect(await admin.exists(key("unreleased-paused", "lock", "t"))).toBe(1);
    redis.pause();
    try {
      expect(await s.reserveStart(18, 1000)).toBeUndefined();
      await s.release(ref("t"), (found as { token: string }).token, entry(1), 1000);
    } finally {
      redis.resume();
    }
    for (let i = 0; i < 50 && (await admin.exists(key("unreleased-paused", "lock", "t"))); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await admin.exists(key("unreleased-paused", "lock", "t"))).toBe(0);
  });
});

describe("a release run late", () => {
  it("(a paused server) does not cache the status past checkedAt + TTL", async () => {
    const s = store("late-release", 150);
    await s.reserveStart(18, 1000);
    const found = await s.lookup(ref("t"), 30_000);
    expect(found?.kind).toBe("leader");
    expect(await admin.exists(key("late-release", "lock", "t"))).toBe(1);
    redis.pause();
    try {
      await s.release(ref("t"), (found as { token: string }).token, { ...entry(1), checkedAt: Date.now() }, 200);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      redis.resume();
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await admin.pttl(key("late-release", "status", "t"))).toBe(-2);
  });
});

/** Keeps the server busy with one command for `seconds` (DEBUG SLEEP, on a connection of its own), from now on. */
async function busyFor(seconds: number): Promise<void> {
  const busy = admin.duplicate();
  await busy.ping();
  void busy.call("DEBUG", "SLEEP", String(seconds)).finally(() => busy.disconnect());
  // The command on its way and read: commands on two connections are not ordered.
  await new Promise((resolve) => setTimeout(resolve, 30));
}

describe("slow is not dead", () => {
  it("an answer three times later than TRTC_REDIS_TIMEOUT_MS is waited for, without a fault", async () => {
    const s = store("slow", 100);
    await s.reserveStart(18, 1000);
    const before = faults.length;
    // The server busy for 330 ms (one slow command: a KEYS on a big database, a fork for a snapshot).
    await busyFor(0.33);
    const started = Date.now();
    const at = await s.reserveStart(18, 1000);
    const waited = Date.now() - started;
    console.info(`slow Redis: answered after ${waited} ms`);
    expect(typeof at).toBe("number");
    expect(waited).toBeGreaterThan(200);
    expect(faults.slice(before)).toEqual([]);
  });

  it("a silent one (paused) is dead after four times TRTC_REDIS_TIMEOUT_MS of silence, and left alone for a second", async () => {
    const s = store("silent", 50);
    await s.reserveStart(18, 1000);
    const before = faults.length;
    redis.pause();
    try {
      const started = Date.now();
      expect(await s.reserveStart(18, 5000)).toBeUndefined();
      const waited = Date.now() - started;
      const again = Date.now();
      expect(await s.lookup(ref("t"), 5000)).toBeUndefined();
      console.info(`paused Redis: dead after ${waited} ms; the next call answered in ${Date.now() - again} ms`);
      expect(waited).toBeGreaterThanOrEqual(200);
      expect(waited).toBeLessThan(400);
      expect(Date.now() - again).toBeLessThan(20);
      expect(faults.slice(before)).toEqual(["timeout"]);
    } finally {
      redis.resume();
    }
  });

  it("a call is bounded by its caller's own limit too, which is not a fault", async () => {
    const s = store("bounded", 200);
    await s.reserveStart(18, 1000);
    const before = faults.length;
    await busyFor(0.3);
    const started = Date.now();
    expect(await s.lookup(ref("t"), 5000, 60)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(150);
    expect(faults.slice(before)).toEqual([]);
    // The lookup ran once the server was free, and took the lock for nobody: undone when its answer came.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await admin.exists(key("bounded", "lock", "t"))).toBe(0);
  });
});

describe("the callback record", () => {
  it("written by one store, read by another: deduplicated, oldest first, the 20 latest, the final answer beside it", async () => {
    const a = store("record");
    const b = store("record");
    const task = { sdkAppId: 1400000001, taskId: "rec-1", region: "ap-singapore" };
    const event = (type: number, status: number, at: number) => ({ type, status, at });
    expect(await b.readRecord(task, 500)).toBeNull();
    expect(await a.recordEvent(task, event(701, 0, 2_000), 60_000, 500)).toBe("recorded");
    expect(await b.recordEvent(task, event(701, 0, 2_000), 60_000, 500)).toBe("duplicate");
    // TRTC delivers out of order, and retries.
    expect(await b.recordEvent(task, event(701, 2, 1_000), 60_000, 500)).toBe("recorded");
    expect(await a.recordEvent(task, event(702, 0, 3_000), 60_000, 500)).toBe("recorded");
    expect(await b.readRecord(task, 500)).toEqual({ events: [event(701, 2, 1_000), event(701, 0, 2_000), event(702, 0, 3_000)] });
    const final = { status: "NotExist", requestId: "req-final", checkedAt: 3_500 };
    await a.settleRecord(task, final, 60_000, 500);
    expect(await b.readRecord(task, 500)).toEqual({ events: [event(701, 2, 1_000), event(701, 0, 2_000), event(702, 0, 3_000)], final });
    // Both keys share the task's hash tag, and expire with the retention.
    for (const k of [key("record", "events", "rec-1"), key("record", "final", "rec-1")]) {
      const ttl = await admin.pttl(k);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    // Many events: the 20 latest are kept.
    const many = { ...task, taskId: "rec-many" };
    for (let i = 0; i < 30; i++) expect(await a.recordEvent(many, event(701, i % 3, 10_000 + i), 1_000, 500)).toBe("recorded");
    const kept = await b.readRecord(many, 500);
    expect(kept?.events.map((e) => e.at)).toEqual(Array.from({ length: 20 }, (_, i) => 10_010 + i));
  });

  it("a write is waited for up to its own limit, and undefined only when Redis did not take it", async () => {
    const s = store("record-limits", 50);
    const task = { sdkAppId: 1400000001, taskId: "rec-2", region: "ap-singapore" };
    await busyFor(0.15);
    // Slow (120 ms and more, over twice the store's time-out): waited for, within the caller's 800 ms.
    expect(await s.recordEvent(task, { type: 701, status: 0, at: 1 }, 60_000, 800)).toBe("recorded");
    redis.pause();
    try {
      const started = Date.now();
      expect(await s.recordEvent(task, { type: 702, status: 0, at: 2 }, 60_000, 100)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(200);
    } finally {
      redis.resume();
    }
    // Sent even while the store rests after a fault: a callback's answer depends on it.
    expect(await s.recordEvent(task, { type: 702, status: 0, at: 3 }, 60_000, 800)).toBe("recorded");
  });
});

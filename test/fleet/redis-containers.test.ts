/**
 * Containers sharing one healthy Redis: a leader that dies mid-request, clocks that disagree, the shared cache; and
 * what a container loads (or cannot load) for the fleet. One container or two per test, each an instance of the built
 * bundle of its own. The Redis faults themselves are in redis-faults.test.ts.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE } from "../support/bundle";
import { APP } from "../support/emulator";
import { startFleet } from "../support/fleet";
import { useFaultBench } from "../support/redis-fault-bench";

const PASSWORD = "containers-redis-pass-4Hm2Rd";
const bench = useFaultBench(PASSWORD);

describe("without TRTC_REDIS_URL", () => {
  it("the Redis client file is never loaded", async () => {
    const [c] = await startFleet(1, { ...bench.baseEnv, TRTC_REDIS_URL: undefined });
    bench.started.push(c!);
    const TaskId = bench.emulator.seedTask({ SdkAppId: APP, TaskId: "faults-no-redis" });
    expect((await c!.invoke({ SdkAppId: APP, TaskId }, 3000)).result.ok).toBe(true);
    expect((await c!.invoke({ SdkAppId: APP, TaskId }, 3000)).result.cached).toBe(true);
    const modules = await c!.modules();
    expect(modules.some((m) => m.endsWith("index.js"))).toBe(true);
    expect(modules.filter((m) => /fleet-redis|ioredis/.test(m))).toEqual([]);
    expect(c!.logLines().filter((l) => l.message === "DescribeStreamIngest").map((l) => l.redis)).toEqual(["none", "none"]);
  });
});

describe("an artifact without fleet-bench.redis.js", () => {
  it("with TRTC_REDIS_URL set, still answers, on the container's own budget", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trtc-no-fleet-redis-"));
    try {
      copyFileSync(BUNDLE, join(dir, "index.js"));
      const [c] = await startFleet(1, { ...bench.baseEnv, TRTC_REDIS_URL: bench.redis.url, FLEET_BUNDLE: join(dir, "index.js") });
      bench.started.push(c!);
      const answer = await c!.invoke({ SdkAppId: APP, TaskId: bench.emulator.seedTask({ SdkAppId: APP, TaskId: "faults-no-file" }) }, 3000);
      expect(answer.result.ok).toBe(true);
      const lines = c!.logLines();
      expect(lines.filter((l) => l.redisFault).map((l) => l.redisFault)).toEqual(["error"]);
      expect(lines.filter((l) => l.message === "DescribeStreamIngest").map((l) => l.redis)).toEqual(["none"]);
      expect(c!.output()).not.toContain(PASSWORD);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a leader container that dies mid-request", () => {
  it("costs its followers no more than half their time left, and its lock lapses with the leader's deadline", async () => {
    const [leader, follower] = await startFleet(2, { ...bench.baseEnv, TRTC_REDIS_URL: bench.redis.url });
    bench.started.push(leader!, follower!);
    const TaskId = bench.emulator.seedTask({ SdkAppId: APP, TaskId: "faults-dead-leader" });
    bench.emulator.addFault({ fault: { type: "hang" }, times: 1 });
    bench.emulator.resetStats();
    void leader!.invoke({ SdkAppId: APP, TaskId }, 1500).catch(() => undefined);
    const admin = await bench.redis.admin();
    const lock = `trtc:default:lock:ap-singapore:{${APP}/${TaskId}}`;
    // Killed once its request hangs at the emulator, holding the lock.
    for (let i = 0; i < 200 && bench.emulator.stats().requests < 1; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(bench.emulator.stats().requests).toBe(1);
    expect(await admin.exists(lock)).toBe(1);
    await leader!.kill();
    const lockTtl = await admin.pttl(lock);
    const answer = await follower!.invoke({ SdkAppId: APP, TaskId }, 1000);
    console.info(`dead leader: lock ttl ${lockTtl} ms; follower answered in ${answer.ms} ms (${answer.result.ok ? answer.result.status : answer.result.error?.code})`);
    expect(lockTtl).toBeGreaterThan(0);
    expect(lockTtl).toBeLessThanOrEqual(1500);
    expect(answer.result.ok).toBe(true);
    expect(answer.ms).toBeLessThan(800);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lockTtl - answer.ms) + 20));
    expect(await admin.exists(lock)).toBe(0);
  });
});

describe("containers whose clocks disagree", () => {
  it("share one budget on Redis's clock: a burst from a container 700 ms ahead and one 700 ms behind is not throttled", async () => {
    const ahead = await startFleet(1, { ...bench.baseEnv, TRTC_REDIS_URL: bench.redis.url, TRTC_STATUS_CACHE_TTL_MS: undefined, FLEET_CLOCK_OFFSET_MS: "700" });
    const behind = await startFleet(1, { ...bench.baseEnv, TRTC_REDIS_URL: bench.redis.url, TRTC_STATUS_CACHE_TTL_MS: undefined, FLEET_CLOCK_OFFSET_MS: "-700" });
    bench.started.push(...ahead, ...behind);
    const tasks = Array.from({ length: 40 }, (_, i) => bench.emulator.seedTask({ SdkAppId: APP, TaskId: `faults-skew-${i}` }));
    bench.emulator.resetStats();
    const answers = await Promise.all(tasks.map((TaskId, i) => (i % 2 ? ahead[0]! : behind[0]!).invoke({ SdkAppId: APP, TaskId }, 8000)));
    const stats = bench.emulator.stats();
    console.info(`skewed clocks: ${stats.requests} requests, ${stats.throttled} throttled, per second ${JSON.stringify(stats.perSecond)}, slowest ${Math.max(...answers.map((a) => a.ms))} ms`);
    expect(answers.every((a) => a.result.ok === true)).toBe(true);
    expect(stats.requests).toBe(40);
    expect(stats.throttled).toBe(0);
    // 40 starts at 18 per second: about 2.2 s from the first to the last, not half of it (two budgets).
    expect(Math.max(...answers.map((a) => a.ms))).toBeGreaterThan(1900);
  });
});

describe("the shared cache, across two containers", () => {
  it("gives the original requestId and checkedAt, marked cached, and never an error", async () => {
    const [a, b] = await startFleet(2, { ...bench.baseEnv, TRTC_REDIS_URL: bench.redis.url });
    bench.started.push(a!, b!);
    const TaskId = bench.emulator.seedTask({ SdkAppId: APP, TaskId: "faults-shared-cache" });
    bench.emulator.resetStats();
    const first = await a!.invoke({ SdkAppId: APP, TaskId }, 3000);
    const second = await b!.invoke({ SdkAppId: APP, TaskId }, 3000);
    expect(first.result.ok).toBe(true);
    expect(first.result.cached).toBeUndefined();
    expect(second.result).toMatchObject({ ok: true, cached: true, requestId: first.result.requestId, checkedAt: first.result.checkedAt });
    expect(bench.emulator.stats().requests).toBe(1);

    const Failing = bench.emulator.seedTask({ SdkAppId: APP, TaskId: "faults-shared-error" });
    bench.emulator.addFault({ fault: { type: "api-error", code: "InternalError" }, times: 3 });
    bench.emulator.resetStats();
    const failed = await a!.invoke({ SdkAppId: APP, TaskId: Failing }, 3000);
    const after = await b!.invoke({ SdkAppId: APP, TaskId: Failing }, 3000);
    expect(failed.result.ok).toBe(false);
    expect(after.result.ok).toBe(true);
    expect(after.result.cached).toBeUndefined();
    expect(bench.emulator.stats().requests).toBeGreaterThan(1);
  });
});

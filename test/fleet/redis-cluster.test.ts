/**
 * The fleet on a real Redis Cluster (three masters; TRTC_REDIS_CLUSTER=true and the URL of one node, as with
 * ElastiCache cluster mode or Valkey): one task's keys in one slot, tasks spread over the masters, and the budget,
 * the cache, single-flight and the callback record working across them; a master killed costs no answer.
 */
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { createRedisStore } from "../../lib/fleet/redis-store";
import type { SharedStore, StoreFault } from "../../lib/fleet/store";
import { APP, startTestEmulator } from "../support/emulator";
import { burstOnce, expectOneBudget, pollTogether, startFleet, stopAllFleets, type Container } from "../support/fleet";
import { startRedisCluster, type TestCluster } from "../support/redis-cluster";

const PASSWORD = "cluster-pass-9Vd2Kq";
const TTL_MS = 1000;
const RATE_KEY = "trtc:default:rate:DescribeStreamIngest";

let emulator: RunningEmulator;
let cluster: TestCluster;
/** The master that holds the budget (killed last), and the node the containers are given (another one). */
let budgetPort: number;
let url: string;
let fleet: Container[] = [];
let faulty: Container[] = [];
const stores: SharedStore[] = [];
const faults: StoreFault[] = [];

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  cluster = await startRedisCluster({ password: PASSWORD });
  budgetPort = await cluster.masterOf(RATE_KEY);
  url = cluster.url(cluster.nodes.find((n) => n.port !== budgetPort)!.port);
  const env = { ...started.env, LOG_LEVEL: "info", TRTC_REDIS_URL: url, TRTC_REDIS_CLUSTER: "true", TRTC_STATUS_CACHE_TTL_MS: String(TTL_MS), TRTC_RATE_LIMIT_PER_SECOND: undefined, TRTC_REDIS_TIMEOUT_MS: undefined };
  fleet = await startFleet(60, env);
  faulty = await startFleet(4, env);
}, 60_000);
afterAll(async () => {
  for (const s of stores) await s.close();
  await stopAllFleets();
  await cluster?.stop();
  await emulator?.close();
});

function store(scope: string): SharedStore {
  const s = createRedisStore({ url, timeoutMs: 50, scope, cluster: true, onFault: (kind) => faults.push(kind) });
  stores.push(s);
  return s;
}

const task = (taskId: string) => ({ sdkAppId: APP, taskId, region: "ap-singapore" });
const entry = { status: "InProgress", requestId: "req-cluster", checkedAt: Date.now() };

describe("the store on a cluster", () => {
  it("keeps every key of one task in one slot, and spreads tasks over the masters", async () => {
    const s = store("slots");
    const tasks = Array.from({ length: 12 }, (_, i) => task(`slots-${i}`));
    for (const t of tasks) {
      const found = await s.lookup(t, 5000);
      expect(found?.kind).toBe("leader");
      await s.release(t, (found as { token: string }).token, entry, 60_000);
      expect(await s.recordEvent(t, { type: 701, status: 0, at: 1 }, 60_000, 500)).toBe("recorded");
      await s.settleRecord(t, { ...entry, status: "NotExist" }, 60_000, 500);
    }
    const admin = await cluster.admin();
    const masters = new Set<number>();
    for (const t of tasks) {
      const keys = [`status:ap-singapore:`, `lock:ap-singapore:`, `events:`, `final:`].map((k) => `trtc:slots:${k}{${APP}/${t.taskId}}`);
      const slots = await Promise.all(keys.map((k) => admin.cluster("KEYSLOT", k)));
      expect(new Set(slots).size).toBe(1);
      expect(await admin.exists(keys[0]!, keys[2]!, keys[3]!)).toBe(3);
      masters.add(await cluster.masterOf(keys[0]!));
    }
    expect(masters.size).toBeGreaterThan(1);
    expect(faults).toEqual([]);
  });

  it("shares one budget, one cache with single-flight, and the callback record between two stores", async () => {
    const [a, b] = [store("shared"), store("shared")];
    const limit = 10;
    const starts = (await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).reserveStart(limit, 10_000)))) as number[];
    const sorted = [...starts].sort((x, y) => x - y);
    for (const t of sorted) expect(sorted.filter((u) => u >= t && u < t + 960).length).toBeLessThanOrEqual(limit);
    const leader = await a.lookup(task("shared"), 5000);
    expect(leader?.kind).toBe("leader");
    expect((await b.lookup(task("shared"), 5000))?.kind).toBe("wait");
    await a.release(task("shared"), (leader as { token: string }).token, entry, 60_000);
    expect(await b.lookup(task("shared"), 5000)).toMatchObject({ kind: "hit", entry });
    expect(await a.recordEvent(task("shared"), { type: 701, status: 0, at: 10 }, 60_000, 500)).toBe("recorded");
    expect(await b.recordEvent(task("shared"), { type: 701, status: 0, at: 10 }, 60_000, 500)).toBe("duplicate");
    expect(await b.recordEvent(task("shared"), { type: 702, status: 0, at: 20 }, 60_000, 500)).toBe("recorded");
    const final = { status: "NotExist", requestId: "req-final", checkedAt: 30 };
    await b.settleRecord(task("shared"), final, 60_000, 500);
    expect(await a.readRecord(task("shared"), 500)).toEqual({ events: [{ type: 701, status: 0, at: 10 }, { type: 702, status: 0, at: 20 }], final });
    expect(faults).toEqual([]);
  });
});

describe("60 containers on a cluster, one budget", () => {
  it("a burst for 60 tasks: at most 63 requests, none throttled on a quiet machine", async () => {
    expectOneBudget(await burstOnce("cluster", fleet, emulator, APP), 63);
  });

  it("20 of them polling 10 tasks with a 1 s cache: about 10 requests per second, none throttled", async () => {
    const { answers, stats } = await pollTogether("cluster", fleet.slice(0, 20), emulator, APP);
    expect(answers.every((a) => a.result.ok === true)).toBe(true);
    expect(stats.throttled).toBe(0);
    expect(stats.requests).toBeLessThanOrEqual(10 * 4);
  });
});

describe("a master killed", () => {
  it("(the budget's) costs no answer and no time past the bound, is said once per container at most, never shows the password", async () => {
    const events = [0, 1].map((i) => ({ SdkAppId: APP, TaskId: emulator.seedTask({ SdkAppId: APP, TaskId: `cluster-kill-${i}` }) }));
    const polling = Promise.all(faulty.map((c) => c.poll(events, { everyMs: 40, forMs: 2500 })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    cluster.kill(budgetPort);
    const answers = (await polling).flat();
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.info(`killed master: ${answers.length} answers, slowest ${slowest} ms, faults ${JSON.stringify(faulty.map((c) => c.logLines().filter((l) => l.redisFault).map((l) => l.redisFault)))}`);
    expect(answers.filter((a) => a.result.ok !== true)).toEqual([]);
    expect(slowest).toBeLessThan(400);
    // A container that only needed the other masters (its tasks' keys, answered by another container) did not
    // meet the fault at all: the cluster still serves what it can.
    for (const c of faulty) expect(c.logLines().filter((l) => l.redisFault).length).toBeLessThanOrEqual(1);
    const lines = faulty.flatMap((c) => c.logLines()).filter((l) => l.message === "DescribeStreamIngest");
    expect(lines.some((l) => l.redis === "fallback")).toBe(true);
    for (const c of [...fleet, ...faulty]) {
      expect(c.output()).not.toContain(PASSWORD);
      expect(c.output()).not.toContain(encodeURIComponent(PASSWORD));
    }
    // The other masters still serve their slots.
    const alive = cluster.nodes.find((n) => n.port !== budgetPort)!;
    const node = new Redis({ port: alive.port, host: "127.0.0.1", password: PASSWORD });
    expect(await node.ping()).toBe("PONG");
    node.disconnect();
  });
});

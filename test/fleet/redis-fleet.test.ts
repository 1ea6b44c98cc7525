/**
 * The fleet on a real redis-server: many container processes (each loading the built bundle) against the emulator's
 * 20 requests per second share one rate budget and one status cache, and Redis faults cost no answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { APP, startTestEmulator } from "../support/emulator";
import { startFleet, stopFleet, type Answer, type Container } from "../support/fleet";
import { startRedis, type TestRedis } from "../support/redis-server";

const PASSWORD = "fleet-redis-pass-7Qx9Zt";
const TTL_MS = 1000;
const REDIS_TIMEOUT_MS = 50;

let emulator: RunningEmulator;
let redis: TestRedis;
let fleet: Container[] = [];

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  redis = await startRedis({ password: PASSWORD });
  fleet = await startFleet(60, {
    ...started.env,
    LOG_LEVEL: "info",
    TRTC_REDIS_URL: redis.url,
    TRTC_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
    TRTC_STATUS_CACHE_TTL_MS: String(TTL_MS),
    TRTC_RATE_LIMIT_PER_SECOND: undefined,
  });
}, 60_000);
afterAll(async () => {
  await stopFleet(fleet);
  await redis?.stop();
  await emulator?.close();
});

const seconds = (ms: number) => (ms / 1000).toFixed(2);

describe("60 containers, one budget", () => {
  it("a burst for 60 tasks: 60 requests, none throttled", async () => {
    const tasks = Array.from({ length: 60 }, (_, i) => emulator.seedTask({ SdkAppId: APP, TaskId: `fleet-burst-${i}` }));
    emulator.resetStats();
    const answers = await Promise.all(fleet.map((c, i) => c.invoke({ SdkAppId: APP, TaskId: tasks[i] }, 15_000)));
    const stats = emulator.stats();
    console.info(`burst: ${stats.requests} requests, ${stats.throttled} throttled, slowest ${seconds(Math.max(...answers.map((a) => a.ms)))} s`);
    expect(answers.every((a) => a.result.ok === true && a.result.status === "InProgress")).toBe(true);
    expect(stats.requests).toBeLessThanOrEqual(63);
    expect(stats.throttled).toBe(0);
    const lines = fleet.flatMap((c) => c.logLines()).filter((l) => l.message === "DescribeStreamIngest");
    expect(lines).toHaveLength(60);
    expect(lines.every((l) => l.redis === "used" && l.cached === false && typeof l.pacerWaitMs === "number")).toBe(true);
  });
});

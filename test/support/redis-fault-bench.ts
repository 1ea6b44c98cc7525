/**
 * What the Redis fault files share: the emulator, a password-protected redis-server, and the containers of the test
 * running, ended when it ends (so that none keeps working on a broken Redis under the next test's timing bounds).
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { startTestEmulator } from "./emulator";
import { stopAllFleets, stopFleet, type Container } from "./fleet";
import { startRedis, type TestRedis } from "./redis-server";

export interface FaultBench {
  emulator: RunningEmulator;
  /** The containers' environment: the emulator's, info logs, a 1 s status cache; add TRTC_REDIS_URL. */
  baseEnv: Record<string, string | undefined>;
  redis: TestRedis;
  /** Containers the test running started: push them here. */
  started: Container[];
}

/** Registers the file's hooks and returns the bench they fill in (read it inside tests, not at import). */
export function useFaultBench(password: string): FaultBench {
  const bench = { started: [] as Container[] } as FaultBench;
  beforeAll(async () => {
    const s = await startTestEmulator();
    bench.emulator = s.emulator;
    bench.baseEnv = { ...s.env, LOG_LEVEL: "info", TRTC_STATUS_CACHE_TTL_MS: "1000" };
    bench.redis = await startRedis({ password });
  }, 30_000);
  afterEach(() => stopFleet(bench.started.splice(0)));
  afterAll(async () => {
    await stopAllFleets();
    await bench.redis?.stop();
    await bench.emulator?.close();
  });
  return bench;
}

/**
 * The fleet's shared store on Redis (any Redis 6+: ElastiCache, Valkey, MemoryDB, TencentDB for Redis; one node or a
 * cluster), with ioredis. Built into its own file (dist/describe-stream-ingest/fleet-redis.js) and loaded only when
 * TRTC_REDIS_URL is set. Its parts, in lib/fleet/redis/:
 *
 *   connection.ts  one node or a cluster, TLS, reconnection in the background
 *   calls.ts       every call: bounded by its caller, slow is not dead (patience.ts), a fault is never a failure
 *   budget.ts      the rate budget          cache.ts   the status cache and single-flight (locks.ts)
 *   record.ts      the callback record      scripts.ts, keys.ts, clock.ts, answers.ts, faults.ts
 */
import type { SharedStore, StoreOptions } from "./store";
import { budgetCalls, sampleClock } from "./redis/budget";
import { cacheCalls } from "./redis/cache";
import { Calls } from "./redis/calls";
import { RedisClock } from "./redis/clock";
import { openConnection } from "./redis/connection";
import { storeKeys } from "./redis/keys";
import { recordCalls } from "./redis/record";

export { BURST_SETTLE_MS } from "./redis/budget";
export { RETRY_AFTER_MS } from "./redis/calls";
export { RESERVE } from "./redis/scripts";

export function createRedisStore(options: StoreOptions): SharedStore {
  const keys = storeKeys(options.scope);
  const clock = new RedisClock();
  let sampled = false;
  // The connection's events reach the calls and the locks made just below (they come later, asynchronously).
  const connection = openConnection(options, {
    progress: () => calls.patience.heard(),
    ready: () => {
      if (!sampled) sampleClock(connection.client, keys, clock);
      sampled = true;
      locks.retry();
    },
  });
  const calls: Calls = new Calls(connection, { timeoutMs: options.timeoutMs, onFault: options.onFault, onAnswer: () => locks.retry() });
  const { locks, lookup, release } = cacheCalls({ calls, client: connection.client, keys, clock, timeoutMs: options.timeoutMs });
  return {
    ...budgetCalls(calls, connection.client, keys, clock),
    lookup,
    release,
    ...recordCalls(calls, connection.client, keys),
    close: async () => {
      calls.patience.stop();
      connection.close();
    },
  };
}

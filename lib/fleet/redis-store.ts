/**
 * The fleet's shared store on Redis (any Redis 6+: ElastiCache, Valkey, MemoryDB, TencentDB for Redis; one node or a
 * cluster), with ioredis. Built into its own file (dist/describe-stream-ingest/fleet-redis.js) and loaded only when
 * TRTC_REDIS_URL is set. The parts, in lib/fleet/redis/: the connection (one node or a cluster, TLS), the calls
 * (bounded by their callers, slow is not dead, a fault is never a failure), the scripts, Redis's clock, the locks a
 * release did not reach, and the checks on every answer.
 *
 * The rate budget is a Lua script rather than rate-limiter-flexible: its Redis limiters count fixed windows (a burst
 * at a window's edge can start 2× the limit within one rolling second) and do not space starts, while TRTC counts a
 * sliding 1 s window. The script reserves the next start in one round trip, on Redis's clock.
 */
import { randomUUID } from "node:crypto";
import type { SharedStore, StoreOptions } from "./store";
import { parseLookup, parseReservation } from "./redis/answers";
import { Calls, RETRY_AFTER_MS } from "./redis/calls";
import { RedisClock } from "./redis/clock";
import { openConnection } from "./redis/connection";
import { notSent } from "./redis/faults";
import { storeKeys } from "./redis/keys";
import { UnreleasedLocks, type Unreleased } from "./redis/locks";
import { recordCalls } from "./redis/record";
import { RELEASE } from "./redis/scripts";

export { RESERVE } from "./redis/scripts";
export { RETRY_AFTER_MS };

/** The pause after a burst's first starts (see RESERVE). */
export const BURST_SETTLE_MS = 250;
/** A release's own limit when its caller gives none, and a dropped lock's. */
const RELEASE_WITHIN_MS = 1000;

export function createRedisStore(options: StoreOptions): SharedStore {
  const keys = storeKeys(options.scope);
  const clock = new RedisClock();
  const connection = openConnection(options, { progress: () => calls.patience.heard(), ready: () => locks.retry() });
  const client = connection.client;
  const calls: Calls = new Calls(connection, { timeoutMs: options.timeoutMs, onFault: options.onFault, onAnswer: () => locks.retry() });
  // RELEASE goes as EVAL, script text and all, never EVALSHA: sent to a server that lost its script cache (restarted,
  // failed over) while it was paused, an EVALSHA would fail with NOSCRIPT after its caller gave up on it, and
  // ioredis would not resend it as EVAL. The release is what undoes a lock; it must run.
  const release = (held: Unreleased, value: string, ttlMs: number, expiresAt: number, withinMs: number) =>
    calls.run(() => client.eval(RELEASE, 2, held.status, held.lock, held.token, value, ttlMs, expiresAt).then(() => true), { withinMs, always: true });
  const locks: UnreleasedLocks = new UnreleasedLocks((held) => release(held, "", 1, 0, RELEASE_WITHIN_MS).then((done) => done === true));
  const dropLock = (held: Unreleased) => {
    locks.add(held);
    locks.retry();
  };
  // A first reading of Redis's clock while the container starts (not yet busy), on the budget's node.
  client.once("ready", () => {
    client.trtcClock(keys.rate).then(
      (now) => typeof now === "number" && clock.sample(now, Date.now()),
      () => undefined,
    );
  });

  return {
    reserveStart: (perSecond, maxWaitMs) =>
      calls.run(
        async () => {
          const answer = await client.trtcReserve(keys.rate, perSecond, 1000, Math.max(0, Math.floor(maxWaitMs)), BURST_SETTLE_MS);
          const received = Date.now();
          const { at, redisNow } = parseReservation(answer);
          clock.sample(redisNow, received);
          return at === -1 ? -1 : clock.toLocal(at);
        },
        { withinMs: maxWaitMs },
      ),
    lookup: (task, lockMs, withinMs = lockMs) => {
      const held = { status: keys.status(task), lock: keys.lock(task), token: `${process.pid}-${randomUUID()}` };
      let gaveUp = false;
      return calls.run(
        async () => {
          // A lookup given up on may still run (a paused server runs what it was sent when it resumes, even on a
          // connection closed since) and take the lock for nobody. It takes none once it is later than a second
          // past the bound on Redis's clock: slack for the clock's estimate, which lags by the delay of its best
          // reading (on a CPU-starved container, more than the bound itself).
          const notAfter = clock.toRedis(Date.now() + options.timeoutMs + RETRY_AFTER_MS);
          const pending = client.trtcLookup(held.status, held.lock, Math.max(1, Math.ceil(lockMs)), held.token, notAfter);
          // Taken after its caller went on without it: undone. One that failed is undone too, in case it ran after
          // all, unless it was never sent.
          pending.then(
            (late) => gaveUp && Array.isArray(late) && late[0] === 2 && dropLock(held),
            (error: unknown) => !notSent(error) && dropLock(held),
          );
          const found = parseLookup(await pending, held.token);
          return found === "late" ? undefined : found;
        },
        { withinMs, onGiveUp: () => (gaveUp = true) },
      );
    },
    release: async (task, token, entry, ttlMs = 0, withinMs = RELEASE_WITHIN_MS) => {
      const held = { status: keys.status(task), lock: keys.lock(task), token };
      const value = entry && ttlMs > 0 ? JSON.stringify(entry) : "";
      // The expiry on Redis's clock through the offset, which never runs ahead: expires no later than it should.
      const expiresAt = value ? clock.toRedis(Date.now() + ttlMs) : 0;
      // Sent even while resting: a lock left behind would make other containers wait for it.
      const done = await release(held, value, Math.max(1, Math.ceil(ttlMs)), expiresAt, withinMs);
      if (!done) dropLock(held);
    },
    ...recordCalls(calls, connection.client, keys),
    close: async () => {
      calls.patience.stop();
      connection.close();
    },
  };
}

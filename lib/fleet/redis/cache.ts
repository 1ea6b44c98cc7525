/**
 * The status cache and its single-flight lock, fleet-wide. No lock is left for nobody: a lookup given up on is
 * undone when its late answer says it took the lock, refused by the script when it runs much too late, and a
 * release that did not reach Redis is sent again (locks.ts).
 */
import { randomUUID } from "node:crypto";
import type { SharedStore } from "../store";
import { parseLookup } from "./answers";
import { RETRY_AFTER_MS, type Calls } from "./calls";
import type { RedisClock } from "./clock";
import { notSent } from "./faults";
import type { StoreKeys } from "./keys";
import { UnreleasedLocks, type Unreleased } from "./locks";
import { RELEASE, type ScriptedClient } from "./scripts";

/** A release's own limit when its caller gives none, and a dropped lock's. */
const RELEASE_WITHIN_MS = 1000;

export interface CacheContext {
  calls: Calls;
  client: ScriptedClient;
  keys: StoreKeys;
  clock: RedisClock;
  timeoutMs: number;
}

export function cacheCalls({ calls, client, keys, clock, timeoutMs }: CacheContext): Pick<SharedStore, "lookup" | "release"> & { locks: UnreleasedLocks } {
  // RELEASE goes as EVAL, script text and all, never EVALSHA: sent to a server that lost its script cache (restarted,
  // failed over) while it was paused, an EVALSHA would fail with NOSCRIPT after its caller gave up on it, and
  // ioredis would not resend it as EVAL. The release is what undoes a lock; it must run. Sent even while the store
  // rests after a fault: a lock left behind would make other containers wait for it.
  const release = (held: Unreleased, value: string, ttlMs: number, expiresAt: number, withinMs: number) =>
    calls.run(() => client.eval(RELEASE, 2, held.status, held.lock, held.token, value, ttlMs, expiresAt).then(() => true), { withinMs, always: true });
  const locks = new UnreleasedLocks((held) => release(held, "", 1, 0, RELEASE_WITHIN_MS).then((done) => done === true));
  const dropLock = (held: Unreleased) => {
    locks.add(held);
    locks.retry();
  };
  return {
    locks,
    lookup: (task, lockMs, withinMs = lockMs) => {
      const held = { status: keys.status(task), lock: keys.lock(task), token: `${process.pid}-${randomUUID()}` };
      let gaveUp = false;
      return calls.run(
        async () => {
          // A lookup given up on may still run (a paused server runs what it was sent when it resumes, even on a
          // connection closed since) and take the lock for nobody. It takes none once it is later than a second
          // past the time-out on Redis's clock: slack for the clock's estimate, which lags by the delay of its best
          // reading (on a CPU-starved container, more than the time-out itself).
          const notAfter = clock.toRedis(Date.now() + timeoutMs + RETRY_AFTER_MS);
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
      const done = await release(held, value, Math.max(1, Math.ceil(ttlMs)), expiresAt, withinMs);
      if (!done) dropLock(held);
    },
  };
}

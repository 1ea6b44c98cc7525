/**
 * What the containers of a fleet share, as the rest of the function sees it: a rate budget, a status cache with
 * single-flight, and the callback record. The Redis implementation lives in a second file of the artifact
 * (fleet-redis.js, built from lib/fleet/redis-store.ts), required only when TRTC_REDIS_URL is set, so the default
 * bundle and its cold start do not carry a Redis client. Every call answers `undefined` when the store cannot answer
 * within its caller's limit or its connection is dead: the caller then uses the container's own pacer and cache,
 * never fails because of the store. A store that is merely slow is waited for, within that limit.
 */
import type { RedisSettings } from "../config";
import type { CachedStatus, RecordStore, TaskRef } from "../relay/types";

export type { CachedStatus, TaskRef };

export type CacheLookup =
  /** Another container asked TRTC within the TTL. */
  | { kind: "hit"; entry: CachedStatus; ttlMs: number }
  /** Nobody is asking: this caller holds the lock and asks TRTC (then calls `release`). */
  | { kind: "leader"; token: string }
  /** Another container is asking right now; its lock lapses in `ms` at the latest. */
  | { kind: "wait"; ms: number };

export interface SharedStore extends RecordStore {
  /**
   * Reserves one request start in the fleet's budget. Resolves to the moment (epoch ms, this container's clock) the
   * start is due, -1 when no start is free within `maxWaitMs` (nothing taken), undefined when the store did not answer.
   */
  reserveStart(perSecond: number, maxWaitMs: number): Promise<number | undefined>;
  /**
   * The cached status of `task`, or the lock (held at most `lockMs`) to ask TRTC for it, or how long another asker
   * may take. Waits for a slow Redis at most `withinMs` (default: lockMs).
   */
  lookup(task: TaskRef, lockMs: number, withinMs?: number): Promise<CacheLookup | undefined>;
  /**
   * Releases the lock taken by `lookup`; with an entry, caches it for `ttlMs` first (errors are never passed). Waits
   * at most `withinMs` (default 1 s); a release that did not reach Redis is sent again later.
   */
  release(task: TaskRef, token: string, entry?: CachedStatus, ttlMs?: number, withinMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions extends RedisSettings {
  /** Called on each fault with its kind only (never a message: a client's message may quote the URL). */
  onFault: (kind: StoreFault) => void;
}

export type StoreFault = "unreachable" | "timeout" | "auth" | "tls" | "invalid-answer" | "error";

/** The second file's path as the bundle sees it (build/build.ts keeps it external and writes it beside index.js). */
const STORE_MODULE = "./fleet-redis.js";

/** Loads the Redis store; undefined (the caller falls back) when the file is missing or its client cannot start. */
export function loadSharedStore(options: StoreOptions): SharedStore | undefined {
  try {
    const { createRedisStore } = require(STORE_MODULE) as { createRedisStore: (o: StoreOptions) => SharedStore };
    return createRedisStore(options);
  } catch {
    options.onFault("error");
    return undefined;
  }
}

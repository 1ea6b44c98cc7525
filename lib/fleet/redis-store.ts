/**
 * The fleet's shared store on Redis (any Redis 6+: ElastiCache, Valkey, MemoryDB, TencentDB for Redis), with ioredis.
 * Built into its own file (dist/describe-stream-ingest/fleet-redis.js) and loaded only when TRTC_REDIS_URL is set.
 *
 * Never a reason to fail or to wait: commands are bounded by `timeoutMs` (connect too), nothing is queued while the
 * connection is down (enableOfflineQueue: false rejects at once), a fault marks the store down for RETRY_AFTER_MS
 * (calls answer undefined at once, the caller uses its own pacer and cache) while ioredis reconnects in the
 * background. Answers are checked: anything but the shapes the scripts return counts as a fault.
 *
 * The rate budget is a Lua script rather than rate-limiter-flexible: its Redis limiters count fixed windows (a
 * burst at a window's edge can start 2× the limit within one rolling second) and do not space starts, while TRTC
 * counts a sliding 1 s window. The script reserves the next start in one round trip, on Redis's own clock (no skew
 * between containers): starts at least 1000/limit ms apart and never more than `limit` in any rolling second, the
 * same rule as lib/rate-pacer.ts for one container.
 */
import Redis from "ioredis";
import type { CacheLookup, CachedStatus, SharedStore, StoreFault, StoreOptions, TaskRef } from "./store";

/** After a fault, how long the store is left alone before the next call tries it again. */
export const RETRY_AFTER_MS = 1000;
/** Locks kept for a later release at most (oldest dropped first: they lapse by themselves anyway). */
export const UNRELEASED_MAX = 100;
/** ioredis's rejection of a command it did not send (no connection, and no offline queue). */
const NOT_SENT = /enableOfflineQueue/;

/**
 * KEYS[1]: list of reserved start times (ms, ascending). ARGV: limit, window ms, max wait ms.
 * Returns {the reserved start, Redis's now} (ms), or {-1, now} (nothing reserved) when it would be more than the
 * max wait away.
 */
export const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local at = now
local n = redis.call('LLEN', KEYS[1])
if n > 0 then
  local spaced = tonumber(redis.call('LINDEX', KEYS[1], -1)) + window / limit
  if spaced > at then at = spaced end
  if n >= limit then
    local full = tonumber(redis.call('LINDEX', KEYS[1], -limit)) + window
    if full > at then at = full end
  end
end
at = math.ceil(at)
if at - now > tonumber(ARGV[3]) then return {-1, now} end
redis.call('RPUSH', KEYS[1], at)
redis.call('LTRIM', KEYS[1], -limit, -1)
redis.call('PEXPIRE', KEYS[1], at - now + 2 * window)
return {at, now}`;

/**
 * KEYS: status, lock. ARGV: lock ms, token, not after (Redis ms; 0 = any time).
 * {1, value, pttl} | {2} (lock taken) | {3, lock pttl} | {4} (ran after its caller gave up: no lock taken).
 */
const LOOKUP = `
local v = redis.call('GET', KEYS[1])
if v then return {1, v, redis.call('PTTL', KEYS[1])} end
local t = redis.call('TIME')
local notAfter = tonumber(ARGV[3])
if notAfter > 0 and tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > notAfter then return {4} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then return {2} end
return {3, redis.call('PTTL', KEYS[2])}`;

/**
 * KEYS: status, lock. ARGV: token, value (may be empty), ttl ms, expires at (Redis ms; 0 = unknown, ttl ms from now).
 * Drops the lock if still ours, then caches the value until it expires. In that order: a SET refused (OOM at
 * maxmemory, READONLY after a failover) aborts the script, and must not leave the lock behind for the other
 * containers to wait on. The expiry is a moment, not a length: a release run late (a busy or paused server) must
 * not keep the status past checkedAt + TTL.
 */
const RELEASE = `
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if ARGV[2] ~= '' then
  local ms = tonumber(ARGV[3])
  local at = tonumber(ARGV[4])
  if at > 0 then
    local t = redis.call('TIME')
    ms = at - (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  end
  if ms > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ms) end
end
return 1`;

interface ScriptedRedis extends Redis {
  trtcReserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<unknown>;
  trtcLookup(status: string, lock: string, lockMs: number, token: string, notAfter: number): Promise<unknown>;
}

class InvalidAnswer extends Error {}
class LateAnswer extends Error {}

function faultKind(error: unknown): StoreFault {
  if (error instanceof InvalidAnswer) return "invalid-answer";
  if (error instanceof LateAnswer) return "timeout";
  const message = error instanceof Error ? error.message : "";
  if (/timed? ?out/i.test(message)) return "timeout";
  if (/NOAUTH|WRONGPASS|NOPERM|auth/i.test(message)) return "auth";
  if (/writeable|ECONNREFUSED|ECONNRESET|EPIPE|closed|ENOTFOUND|EHOSTUNREACH/i.test(message)) return "unreachable";
  return "error";
}

function parseEntry(raw: unknown): CachedStatus {
  if (typeof raw !== "string" || raw.length > 4096) throw new InvalidAnswer();
  const value = JSON.parse(raw) as Partial<CachedStatus>;
  if (typeof value?.status !== "string" || typeof value.requestId !== "string" || typeof value.checkedAt !== "number") throw new InvalidAnswer();
  return { status: value.status, requestId: value.requestId, checkedAt: value.checkedAt };
}

export function createRedisStore(options: StoreOptions): SharedStore {
  const client = new Redis(options.url, {
    connectTimeout: options.timeoutMs,
    // No commandTimeout: `bounded` below answers for the caller at timeoutMs (see there why not ioredis's timer),
    // and replaces a connection that did not answer in time, which rejects what was sent on it. A per-command
    // timer would outlive the invocation that gave up on it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: false,
    disableClientInfo: true,
    connectionName: "trtc-stream-ingest-status",
    // Keep reconnecting in the background: 100 ms, 200 ms, … then once a second.
    retryStrategy: (times) => Math.min(100 * times, 1000),
    reconnectOnError: () => false,
  }) as ScriptedRedis;
  // Without a listener ioredis prints every connection error to stderr; faults are reported through onFault instead.
  // What broke the connection is kept: a refused password (WRONGPASS) closes it, and the commands that follow fail
  // only with "stream isn't writeable", which would be reported as unreachable and send an operator to the network.
  let connectionFault: StoreFault | undefined;
  client.on("error", (error) => {
    connectionFault = faultKind(error);
  });
  client.on("ready", () => (connectionFault = undefined));
  client.defineCommand("trtcReserve", { numberOfKeys: 1, lua: RESERVE });
  client.defineCommand("trtcLookup", { numberOfKeys: 2, lua: LOOKUP });
  // RELEASE goes as EVAL, script text and all, never EVALSHA: sent to a server that lost its script cache (restarted,
  // failed over) while it was paused, an EVALSHA would fail with NOSCRIPT after its caller gave up on it, and
  // ioredis would not resend it as EVAL. The release is what undoes a lock; it must run.
  const release = (status: string, lock: string, token: string, value: string, ttlMs: number, expiresAt = 0) =>
    client.eval(RELEASE, 2, status, lock, token, value, ttlMs, expiresAt);
  /**
   * Locks this container may hold that a release did not reach (the connection was down or replaced): dropped again
   * on each new connection until one answers, so that no lock is left for the other containers to wait on until it
   * lapses. Dropping a lock that is not ours any more does nothing (the token is checked). The value is not sent
   * again: cached later, it would outlive its TTL.
   */
  const unreleased = new Map<string, { status: string; token: string }>();
  const dropLock = (status: string, lock: string, token: string) => {
    unreleased.delete(lock);
    unreleased.set(lock, { status, token });
    if (unreleased.size > UNRELEASED_MAX) unreleased.delete(unreleased.keys().next().value!);
    if (client.status !== "ready") return;
    release(status, lock, token, "", 1).then(
      () => unreleased.get(lock)?.token === token && unreleased.delete(lock),
      () => undefined,
    );
  };
  client.on("ready", () => {
    for (const [lock, { status, token }] of [...unreleased]) dropLock(status, lock, token);
  });

  const prefix = `trtc:${options.scope}:`;
  const rateKey = `${prefix}rate:DescribeStreamIngest`;
  // One hash tag per task: its status and lock keys live in one slot (Redis Cluster, Valkey cluster mode).
  const keys = (task: TaskRef) => {
    const tag = `{${task.sdkAppId}/${task.taskId}}`;
    return [`${prefix}status:${task.region}:${tag}`, `${prefix}lock:${task.region}:${tag}`] as const;
  };
  let downUntil = 0;
  /**
   * How far Redis's clock is ahead of ours: Redis's `now` minus the moment its answer was read, at its largest
   * (every answer arrives late by a delay ≥ 0, so the largest sample has the least delay in it). Reserved starts are
   * on Redis's clock; this turns them into ours.
   */
  let skew = Number.NEGATIVE_INFINITY;
  const sampleSkew = (redisNow: number, received: number) => {
    skew = Math.max(skew, redisNow - received);
  };
  // A first sample while the container starts (not yet busy), so the first reservation is read against a fair clock.
  client.once("ready", () => {
    const sent = Date.now();
    client.time().then(
      ([seconds, micros]) => {
        if (Date.now() - sent < options.timeoutMs) sampleSkew(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), Date.now());
      },
      () => undefined,
    );
  });
  /** Until the first connection is up, a call may wait for it (within timeoutMs) instead of failing at once. */
  // Settled by the first attempt's outcome, whatever it is: calls wait on it at most once per container start.
  const FIRST_CONNECT_EVENTS = ["ready", "error", "close", "end"] as const;
  let firstConnect: Promise<void> | undefined = new Promise<void>((resolve) => {
    const done = () => {
      for (const event of FIRST_CONNECT_EVENTS) client.off(event, done);
      resolve();
    };
    for (const event of FIRST_CONNECT_EVENTS) client.on(event, done);
  }).then(() => {
    firstConnect = undefined;
  });

  /**
   * `command` within timeoutMs. Hand-made rather than ioredis's commandTimeout: a timer fires in the event loop's
   * timers phase, before the poll phase reads a reply already waiting in the socket, so a process that was starved
   * of CPU for timeoutMs (many containers on few cores) would give up on answers that came in time. The timer's
   * verdict is deferred to the check phase (setImmediate), after pending replies were read.
   */
  function bounded<T>(command: () => Promise<T>, onTimeout?: () => void): Promise<T> {
    const connecting = firstConnect;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        setImmediate(() => {
          if (settled) return;
          settled = true;
          onTimeout?.();
          // A connection that does not answer in time is replaced rather than waited on: the server may be paused,
          // or gone behind a network that drops packets silently (a failover, an idle flow dropped by a NAT or a
          // security group), where the socket would only fail after minutes of TCP retransmissions and every call
          // till then would wait timeoutMs for nothing. Destroyed, not ended: a FIN would go unanswered too, and
          // ioredis reconnects only once the socket has closed. This also rejects the commands sent on it.
          if (client.status === "ready") client.stream?.destroy();
          reject(new Error("Redis command timed out"));
        });
      }, options.timeoutMs);
      (connecting ? connecting.then(command) : command()).then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Runs `command` unless the store is resting after a fault (`always`: even then); a fault or an invalid answer
   * gives undefined.
   */
  async function guarded<T>(command: () => Promise<T>, always = false, onTimeout?: () => void): Promise<T | undefined> {
    if (!always && Date.now() < downUntil) return undefined;
    try {
      return await bounded(command, onTimeout);
    } catch (error) {
      downUntil = Date.now() + RETRY_AFTER_MS;
      const kind = faultKind(error);
      options.onFault(kind === "unreachable" && connectionFault ? connectionFault : kind);
      return undefined;
    }
  }

  return {
    reserveStart: (perSecond, maxWaitMs) =>
      guarded(async () => {
        const answer = await client.trtcReserve(rateKey, perSecond, 1000, Math.max(0, Math.floor(maxWaitMs)));
        const received = Date.now();
        if (!Array.isArray(answer) || !answer.every((n) => typeof n === "number" && Number.isInteger(n))) throw new InvalidAnswer();
        const [at, redisNow] = answer as [number, number];
        if (at !== -1 && (at < redisNow || at > redisNow + 3_600_000)) throw new InvalidAnswer();
        sampleSkew(redisNow, received);
        return at === -1 ? -1 : at - skew;
      }),
    lookup: (key, lockMs) => {
      const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const [status, lock] = keys(key);
      let gaveUp = false;
      const undo = () => dropLock(status, lock, token);
      return guarded(
        async (): Promise<CacheLookup> => {
          // A lookup given up on may still run (a paused server runs what it was sent when it resumes, even on a
          // connection closed since) and take the lock for nobody, making every other container wait for it. It
          // carries the moment its caller gives up, on Redis's clock (from the skew; none before the first sample),
          // and takes no lock after it. With RETRY_AFTER_MS to spare: the skew lags Redis's clock by the delay of its
          // best sample, which on a CPU-starved container (many on two cores) passes timeoutMs, and a guard that
          // tight refused lookups that ran in time (a 60-container burst fell back and was throttled). A lookup
          // late by less than that is undone below like any late answer; a paused server's are late by far more.
          const notAfter = Number.isFinite(skew) ? Math.floor(Date.now() + skew + options.timeoutMs + RETRY_AFTER_MS) : 0;
          const pending = client.trtcLookup(status, lock, Math.max(1, Math.ceil(lockMs)), token, notAfter);
          // When its answer still comes late (a lock taken just in time), undo it. A failed one is undone too, sent
          // right behind it, in case it ran after all.
          pending.then(
            (late) => {
              if (gaveUp && Array.isArray(late) && late[0] === 2) undo();
            },
            // Not one refused before it was sent (no connection): it cannot have run, and Redis may be down for long.
            (error: unknown) => !NOT_SENT.test(error instanceof Error ? error.message : "") && undo(),
          );
          const answer = await pending;
          if (!Array.isArray(answer)) throw new InvalidAnswer();
          if (answer[0] === 1 && typeof answer[2] === "number") return { kind: "hit", entry: parseEntry(answer[1]), ttlMs: answer[2] };
          if (answer[0] === 2) return { kind: "leader", token };
          if (answer[0] === 3 && typeof answer[1] === "number") return { kind: "wait", ms: Math.max(0, answer[1]) };
          if (answer[0] === 4) throw new LateAnswer();
          throw new InvalidAnswer();
        },
        false,
        () => (gaveUp = true),
      );
    },
    release: async (key, token, entry, ttlMs = 0) => {
      const [status, lock] = keys(key);
      const value = entry && ttlMs > 0 ? JSON.stringify(entry) : "";
      // Sent even while resting: a lock left behind would make other containers wait for it. On a paused server
      // it runs when the server resumes; on a closed connection it fails at once.
      // On Redis's clock through the skew, which is never ahead of the true offset: expires no later than it should.
      const expiresAt = value && Number.isFinite(skew) ? Math.floor(Date.now() + ttlMs + skew) : 0;
      const done = await guarded(() => release(status, lock, token, value, Math.max(1, Math.ceil(ttlMs)), expiresAt).then(() => true), true);
      if (!done) dropLock(status, lock, token);
    },
    // The callback record: not yet in Redis (see lib/relay/types.ts RecordStore).
    recordEvent: async () => undefined,
    readRecord: async () => undefined,
    settleRecord: async () => undefined,
    close: async () => {
      client.disconnect();
    },
  };
}

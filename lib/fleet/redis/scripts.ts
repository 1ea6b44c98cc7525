/**
 * The store's Lua scripts. Each touches the keys it is given and nothing else, all in one hash slot (one task's keys
 * share its hash tag; the budget is one key), so each runs as is on a Redis Cluster. Moments are Redis's own
 * (`TIME`): one clock for every container.
 */
import type { Cluster, Redis } from "ioredis";

/** Redis's now in ms, as each script reads it. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * The rate budget. KEYS[1]: list of the latest reserved start times (ms, ascending). ARGV: limit, window ms, max wait
 * ms, settle ms. Reserves the next start at least window/limit after the last one and never more than `limit` in any
 * rolling window: the rule of lib/rate-pacer.ts, for the fleet. Returns {the reserved start, Redis's now}, or
 * {-1, now} (nothing reserved) when it would be more than the max wait away.
 *
 * One exception, at the start of a burst (`limit` starts after a quiet window): the next start waits `settle` ms
 * more. The containers that took the burst's first starts are as cold as all the others and share their CPU, so
 * their requests may leave late and reach TRTC bunched with the next ones; the pause lets them out of TRTC's window
 * before it fills again. It costs a burst `settle` ms once, and a steady load nothing.
 */
export const RESERVE = `${NOW}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local at = now
local n = redis.call('LLEN', KEYS[1])
if n > 0 then
  local spaced = tonumber(redis.call('LINDEX', KEYS[1], -1)) + window / limit
  if spaced > at then at = spaced end
  if n >= limit then
    local first = tonumber(redis.call('LINDEX', KEYS[1], -limit))
    local full = first + window
    if n == limit or tonumber(redis.call('LINDEX', KEYS[1], -limit - 1)) <= first - window then full = full + tonumber(ARGV[4]) end
    if full > at then at = full end
  end
end
at = math.ceil(at)
if at - now > tonumber(ARGV[3]) then return {-1, now} end
redis.call('RPUSH', KEYS[1], at)
redis.call('LTRIM', KEYS[1], -limit - 1, -1)
redis.call('PEXPIRE', KEYS[1], at - now + 2 * window)
return {at, now}`;

/** Redis's now, read on the node that holds KEYS[1] (the budget's node: its clock is the one that counts). */
export const CLOCK = `${NOW}
return now`;

/**
 * The status cache and its single-flight lock. KEYS: status, lock. ARGV: lock ms, token, not after (Redis ms; 0 =
 * any time). {1, value, pttl} | {2} (lock taken) | {3, lock pttl} | {4} (ran after its caller gave up: no lock).
 */
export const LOOKUP = `local v = redis.call('GET', KEYS[1])
if v then return {1, v, redis.call('PTTL', KEYS[1])} end
${NOW}
local notAfter = tonumber(ARGV[3])
if notAfter > 0 and now > notAfter then return {4} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then return {2} end
return {3, redis.call('PTTL', KEYS[2])}`;

/**
 * KEYS: status, lock. ARGV: token, value (may be empty), ttl ms, expires at (Redis ms; 0 = unknown, ttl ms from now).
 * Drops the lock if still ours, then caches the value until it expires. In that order: a SET refused (OOM at
 * maxmemory, READONLY after a failover) aborts the script, and must not leave the lock behind for the other
 * containers to wait on. The expiry is a moment, not a length: a release run late (a busy or paused server) must
 * not keep the status past checkedAt + TTL.
 */
export const RELEASE = `if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if ARGV[2] ~= '' then
  local ms = tonumber(ARGV[3])
  local at = tonumber(ARGV[4])
  if at > 0 then
    ${NOW}
    ms = at - now
  end
  if ms > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ms) end
end
return 1`;

/**
 * The callback record. KEYS: events (sorted set: member = the event's encoding, score = its time), final.
 * ARGV: member, score, events kept, retention ms. Adds the event unless it is there (1: recorded, 0: duplicate),
 * keeps the latest ones, and keeps the whole record (the final answer too) for the retention from now.
 */
export const RECORD = `local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if over > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return added`;

/** KEYS: events, final. ARGV: events kept. {members oldest first, final or false}: one consistent reading. */
export const READ_RECORD = `return {redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[1]), -1), redis.call('GET', KEYS[2])}`;

/** A client (one node or a cluster) with the scripts above as commands (EVALSHA, falling back to EVAL). */
export type ScriptedClient = (Redis | Cluster) & {
  trtcReserve(key: string, limit: number, windowMs: number, maxWaitMs: number, settleMs: number): Promise<unknown>;
  trtcClock(key: string): Promise<unknown>;
  trtcLookup(status: string, lock: string, lockMs: number, token: string, notAfter: number): Promise<unknown>;
  trtcRecord(events: string, final: string, member: string, score: number, keep: number, retentionMs: number): Promise<unknown>;
  trtcReadRecord(events: string, final: string, keep: number): Promise<unknown>;
};

export function defineScripts(client: Redis | Cluster): ScriptedClient {
  client.defineCommand("trtcReserve", { numberOfKeys: 1, lua: RESERVE });
  client.defineCommand("trtcClock", { numberOfKeys: 1, lua: CLOCK });
  client.defineCommand("trtcLookup", { numberOfKeys: 2, lua: LOOKUP });
  client.defineCommand("trtcRecord", { numberOfKeys: 2, lua: RECORD });
  client.defineCommand("trtcReadRecord", { numberOfKeys: 2, lua: READ_RECORD });
  return client as ScriptedClient;
}

/**
 * Redis's answers, checked: anything but the shapes the scripts return is an InvalidAnswer (a fault), never a value
 * passed on. A server that is not the Redis we think it is (a proxy, another service on the port) must not steer the
 * budget or the cache.
 */
import type { CacheLookup } from "../store";
import type { CachedStatus, RelayEvent } from "../../relay/types";
import { InvalidAnswer } from "./faults";

const MAX_VALUE_CHARS = 4096;
/** A reserved start is never further than this from Redis's now. */
const MAX_RESERVATION_MS = 3_600_000;

const integers = (answer: unknown, length: number): answer is number[] =>
  Array.isArray(answer) && answer.length === length && answer.every((n) => typeof n === "number" && Number.isInteger(n));

/** A cached status or a final answer, as stored (JSON). */
export function parseEntry(raw: unknown): CachedStatus {
  if (typeof raw !== "string" || raw.length > MAX_VALUE_CHARS) throw new InvalidAnswer();
  let value: Partial<CachedStatus> | null;
  try {
    value = JSON.parse(raw) as Partial<CachedStatus> | null;
  } catch {
    throw new InvalidAnswer();
  }
  if (typeof value?.status !== "string" || typeof value.requestId !== "string" || typeof value.checkedAt !== "number") throw new InvalidAnswer();
  return { status: value.status, requestId: value.requestId, checkedAt: value.checkedAt };
}

/** RESERVE's {at, now}: at is -1 (nothing reserved) or a start not before now and not far after it. */
export function parseReservation(answer: unknown): { at: number; redisNow: number } {
  if (!integers(answer, 2)) throw new InvalidAnswer();
  const [at, redisNow] = answer as [number, number];
  if (at !== -1 && (at < redisNow || at > redisNow + MAX_RESERVATION_MS)) throw new InvalidAnswer();
  return { at, redisNow };
}

/** LOOKUP's answer; "late" when it ran after its caller gave up (and so took no lock). */
export function parseLookup(answer: unknown, token: string): CacheLookup | "late" {
  if (!Array.isArray(answer)) throw new InvalidAnswer();
  if (answer[0] === 1 && answer.length === 3 && typeof answer[2] === "number") return { kind: "hit", entry: parseEntry(answer[1]), ttlMs: answer[2] };
  if (answer[0] === 2 && answer.length === 1) return { kind: "leader", token };
  if (answer[0] === 3 && answer.length === 2 && typeof answer[1] === "number") return { kind: "wait", ms: Math.max(0, answer[1]) };
  if (answer[0] === 4 && answer.length === 1) return "late";
  throw new InvalidAnswer();
}

/**
 * One event as a member of the record's sorted set: "type:status:at". The member is what deduplicates (ZADD NX), so
 * it holds exactly the event's identity. Kept in this one pair of functions so that the shared encoding of
 * lib/relay/record.ts (encodeEvent/decodeEvent) can replace it when it lands.
 */
export function encodeEvent(event: RelayEvent): string {
  return `${event.type}:${event.status}:${event.at}`;
}

const EVENT_MEMBER = /^(-?\d{1,15}):(-?\d{1,15}):(\d{1,15})$/;

export function decodeEvent(member: unknown): RelayEvent {
  const parts = typeof member === "string" ? EVENT_MEMBER.exec(member) : null;
  if (!parts) throw new InvalidAnswer();
  return { type: Number(parts[1]), status: Number(parts[2]), at: Number(parts[3]) };
}

/** READ_RECORD's {members, final or null}. */
export function parseRecord(answer: unknown, maxEvents: number): { events: RelayEvent[]; final?: CachedStatus } | null {
  if (!Array.isArray(answer) || answer.length !== 2 || !Array.isArray(answer[0]) || answer[0].length > maxEvents) throw new InvalidAnswer();
  const events = answer[0].map(decodeEvent);
  const final = answer[1] === null ? undefined : parseEntry(answer[1]);
  if (events.length === 0 && !final) return null;
  return final ? { events, final } : { events };
}

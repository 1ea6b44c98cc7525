/**
 * A task's record, pure (CONTRACT.md "Callbacks: the relay's story"): merging an event in, the `relay` object
 * answers carry, and the one rule for answering from a record instead of asking TRTC. The stores (memory-records.ts,
 * the fleet's Redis) keep what these functions return; the Redis store keeps each event as a sorted-set member
 * written by {@link encodeEvent}, scored by `at`, and reads them back with {@link decodeEvents}.
 */
import { RECORD_MAX_EVENTS, type CachedStatus, type Relay, type RelayEntry, type RelayEvent, type RelayEventName, type TaskRecord } from "./types";

const NAMES = new Map<string, RelayEventName>([
  ["701:0", "started"],
  ["701:1", "startFailed"],
  ["701:2", "restarting"],
  ["702:0", "stopped"],
]);

/** The event's name in answers, or undefined for a type or status the contract does not name. */
export const eventNameOf = (event: RelayEvent): RelayEventName | undefined => NAMES.get(`${event.type}:${event.status}`);

/** The largest time a Date can hold (ECMAScript: ±8.64e15 ms): a later `at` could not be written as ISO time. */
const MAX_DATE_MS = 8.64e15;

/** Epoch ms an event may carry: a whole number from 0 to the last time a Date can hold. */
export const isEpochMs = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_DATE_MS;

/**
 * The record's order: by `at`, then EventType, then Status, all ascending. Events at the same millisecond are
 * thus ordered by what they are, not by when they arrived, so every container and store (whatever order TRTC's
 * retries took) keeps the same events in the same order; and a stop at the same millisecond as a start (702 after
 * 701) is the later one, so the phase is `stopped`.
 */
export function compareEvents(a: RelayEvent, b: RelayEvent): number {
  return a.at - b.at || a.type - b.type || a.status - b.status;
}

const sameEvent = (a: RelayEvent, b: RelayEvent): boolean => a.at === b.at && a.type === b.type && a.status === b.status;

/**
 * Adds one event: deduplicated on (type, status, at), in {@link compareEvents} order, at most RECORD_MAX_EVENTS,
 * the latest kept. `added` is whether the record changed: false for a duplicate, and for an event older than every
 * kept one of a full record (it would be dropped at once). Returns a new array; the input is not changed.
 */
export function mergeEvent(events: readonly RelayEvent[], event: RelayEvent): { events: RelayEvent[]; added: boolean } {
  if (events.some((kept) => sameEvent(kept, event))) return { events: [...events], added: false };
  const entry = { type: event.type, status: event.status, at: event.at };
  const merged = [...events, entry].sort(compareEvents).slice(-RECORD_MAX_EVENTS);
  return { events: merged, added: merged.includes(entry) };
}

/** The known event that sets the phase: the latest in record order. */
function phaseEvent(events: readonly RelayEvent[]): { name: RelayEventName; event: RelayEvent } | undefined {
  let found: { name: RelayEventName; event: RelayEvent } | undefined;
  for (const event of events) {
    const name = eventNameOf(event);
    if (name !== undefined && (found === undefined || compareEvents(event, found.event) > 0)) found = { name, event };
  }
  return found;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function entryOf(event: RelayEvent): RelayEntry {
  const name = eventNameOf(event);
  return name === undefined ? { event: "unknown", eventType: event.type, status: event.status, at: iso(event.at) } : { event: name, at: iso(event.at) };
}

/** The contract's `relay` object for a record's events; undefined when there are none. */
export function relayOf(events: readonly RelayEvent[]): Relay | undefined {
  if (events.length === 0) return undefined;
  const entries = [...events].sort(compareEvents).map(entryOf);
  const phase = phaseEvent(events);
  return phase === undefined ? { events: entries } : { phase: phase.name, since: iso(phase.event.at), events: entries };
}

/** When the relay stopped (epoch ms, TRTC's EventMsTs) if its phase is `stopped`; else undefined. */
export function stoppedAt(events: readonly RelayEvent[]): number | undefined {
  const phase = phaseEvent(events);
  return phase?.name === "stopped" ? phase.event.at : undefined;
}

/**
 * Whether a TRTC answer confirms the recorded stop: the phase is `stopped` and the answer, asked after the stop,
 * said NotExist. Only such an answer is kept with the record (settleRecord). `checkedAt` is the function's clock and
 * the stop TRTC's: should the function's clock lag, an answer is not taken as confirming and the next query asks
 * TRTC once more (a poll more, never a wrong answer).
 */
export function confirmsStop(events: readonly RelayEvent[], answer: CachedStatus): boolean {
  const stop = stoppedAt(events);
  return answer.status === "NotExist" && stop !== undefined && answer.checkedAt > stop;
}

/**
 * The answer to give from a record with no upstream request, or undefined to ask TRTC: the record's `final` when it
 * still confirms the stop. An event recorded later (a restart after the stop) makes the phase other than `stopped`,
 * and TRTC is asked again.
 */
export function answersFromRecord(record: TaskRecord | null | undefined): CachedStatus | undefined {
  if (!record?.final) return undefined;
  return confirmsStop(record.events, record.final) ? record.final : undefined;
}

/** An event as a sorted-set member: `type:status:at`, decimal (score it by `at`). */
export const encodeEvent = (event: RelayEvent): string => `${event.type}:${event.status}:${event.at}`;

const MEMBER = /^(-?[0-9]{1,16}):(-?[0-9]{1,16}):([0-9]{1,16})$/;

/** A member written by {@link encodeEvent}; undefined for anything else (a store's stray value is skipped, not fatal). */
export function decodeEvent(member: string): RelayEvent | undefined {
  const match = MEMBER.exec(member);
  if (!match) return undefined;
  const [type, status, at] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return Number.isSafeInteger(type) && Number.isSafeInteger(status) && isEpochMs(at) ? { type, status, at } : undefined;
}

/** A stored set's members as a record's events: decoded (strays skipped), deduplicated, ordered, capped. */
export function decodeEvents(members: Iterable<string>): RelayEvent[] {
  let events: RelayEvent[] = [];
  for (const member of members) {
    const event = decodeEvent(member);
    if (event !== undefined) events = mergeEvent(events, event).events;
  }
  return events;
}

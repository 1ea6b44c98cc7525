import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answersFromRecord,
  compareEvents,
  confirmsStop,
  decodeEvent,
  decodeEvents,
  encodeEvent,
  mergeEvent,
  relayOf,
  stoppedAt,
} from "../../lib/relay/record";
import { RECORD_MAX_EVENTS, type CachedStatus, type RelayEvent } from "../../lib/relay/types";

const T0 = Date.parse("2026-11-24T10:00:00.000Z");
const STOP = Date.parse("2026-11-24T10:05:00.000Z");
const started = (at = T0): RelayEvent => ({ type: 701, status: 0, at });
const stopped = (at = STOP): RelayEvent => ({ type: 702, status: 0, at });
const notExist = (checkedAt: number): CachedStatus => ({ status: "NotExist", requestId: "req-final", checkedAt });

/** Merges events one by one, in the order given (the order TRTC delivered them). */
function recordOf(events: readonly RelayEvent[]): RelayEvent[] {
  return events.reduce<RelayEvent[]>((kept, event) => mergeEvent(kept, event).events, []);
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe("mergeEvent", () => {
  it("adds an event, and a duplicate (same type, status and EventMsTs) changes nothing", () => {
    const first = mergeEvent([], started());
    expect(first).toEqual({ events: [started()], added: true });
    const again = mergeEvent(first.events, started());
    expect(again).toEqual({ events: [started()], added: false });
    // Same type and status at another time, or another status at the same time: not duplicates.
    expect(mergeEvent(first.events, started(T0 + 1)).added).toBe(true);
    expect(mergeEvent(first.events, { type: 701, status: 2, at: T0 }).added).toBe(true);
  });

  it("orders by EventMsTs whatever the delivery order (TRTC retries, out of order)", () => {
    const events = [stopped(), started(), { type: 701, status: 2, at: T0 + 60_000 }, started(T0 + 61_000)];
    expect(recordOf(events).map((e) => e.at)).toEqual([T0, T0 + 60_000, T0 + 61_000, STOP]);
  });

  it("orders events of the same millisecond by type, then status: the same record for every delivery order", () => {
    const same = [stopped(T0), { type: 701, status: 2, at: T0 }, started(T0), { type: 703, status: 0, at: T0 }, { type: 701, status: 1, at: T0 }];
    const expected = [started(T0), { type: 701, status: 1, at: T0 }, { type: 701, status: 2, at: T0 }, stopped(T0), { type: 703, status: 0, at: T0 }];
    for (const order of permutations(same)) expect(recordOf(order)).toEqual(expected);
  });

  it(`keeps at most ${RECORD_MAX_EVENTS}, the latest; an event older than all of a full record is not added`, () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ type: 701, status: 2, at: T0 + i * 1000 }));
    const kept = recordOf([...many].reverse());
    expect(kept).toHaveLength(RECORD_MAX_EVENTS);
    expect(kept[0]!.at).toBe(T0 + 5000);
    expect(kept.at(-1)!.at).toBe(T0 + 24_000);
    expect(mergeEvent(kept, started(T0))).toEqual({ events: kept, added: false });
    const later = mergeEvent(kept, stopped(T0 + 30_000));
    expect(later.added).toBe(true);
    expect(later.events).toHaveLength(RECORD_MAX_EVENTS);
    expect(later.events[0]!.at).toBe(T0 + 6000);
  });

  it("changes neither the events given nor the event (a new array, the event copied)", () => {
    const events = Object.freeze([started()]);
    const event = stopped();
    const merged = mergeEvent(events, event);
    expect(events).toEqual([started()]);
    merged.events[1]!.at = 0;
    expect(event.at).toBe(STOP);
  });

  it("keeps any delivery sequence deduplicated, sorted and capped (property)", () => {
    const arbitraryEvent = fc.record({ type: fc.constantFrom(701, 702, 703), status: fc.integer({ min: 0, max: 3 }), at: fc.integer({ min: T0, max: T0 + 40 }) });
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 60 }), (delivered) => {
        const kept = recordOf(delivered);
        const distinct = [...new Map(delivered.map((e) => [encodeEvent(e), e])).values()].sort(compareEvents);
        expect(kept).toEqual(distinct.slice(-RECORD_MAX_EVENTS));
      }),
    );
  });
});

describe("relayOf", () => {
  it("is undefined without events", () => {
    expect(relayOf([])).toBeUndefined();
  });

  it("is the contract's example for a start then a stop", () => {
    expect(relayOf([started(), stopped()])).toEqual({
      phase: "stopped",
      since: "2026-11-24T10:05:00.000Z",
      events: [
        { event: "started", at: "2026-11-24T10:00:00.000Z" },
        { event: "stopped", at: "2026-11-24T10:05:00.000Z" },
      ],
    });
  });

  it("names 701/0 started, 701/1 startFailed, 701/2 restarting, 702/0 stopped; the phase is the latest known event", () => {
    expect(relayOf([started()])).toMatchObject({ phase: "started", since: "2026-11-24T10:00:00.000Z" });
    expect(relayOf([{ type: 701, status: 1, at: T0 }])).toMatchObject({ phase: "startFailed" });
    expect(relayOf([started(), { type: 701, status: 2, at: T0 + 1000 }])).toMatchObject({ phase: "restarting", since: "2026-11-24T10:00:01.000Z" });
    expect(relayOf([started(), { type: 701, status: 2, at: T0 + 1000 }, started(T0 + 2000)])).toMatchObject({ phase: "started", since: "2026-11-24T10:00:02.000Z" });
    // A stop at the very millisecond of a start is the later of the two.
    expect(relayOf([stopped(T0), started(T0)])).toMatchObject({ phase: "stopped" });
  });

  it("keeps unknown types and statuses as unknown entries that set no phase", () => {
    const relay = relayOf([started(), { type: 701, status: 7, at: T0 + 1000 }, { type: 705, status: 0, at: T0 + 2000 }]);
    expect(relay).toEqual({
      phase: "started",
      since: "2026-11-24T10:00:00.000Z",
      events: [
        { event: "started", at: "2026-11-24T10:00:00.000Z" },
        { event: "unknown", eventType: 701, status: 7, at: "2026-11-24T10:00:01.000Z" },
        { event: "unknown", eventType: 705, status: 0, at: "2026-11-24T10:00:02.000Z" },
      ],
    });
    const onlyUnknown = relayOf([{ type: 702, status: 3, at: T0 }]);
    expect(onlyUnknown).toEqual({ events: [{ event: "unknown", eventType: 702, status: 3, at: "2026-11-24T10:00:00.000Z" }] });
    expect(JSON.stringify(onlyUnknown)).not.toContain("phase");
  });

  it("lists events oldest first even when given out of order", () => {
    expect(relayOf([stopped(), started()])!.events.map((e) => e.event)).toEqual(["started", "stopped"]);
  });
});

describe("stoppedAt and answering from the record", () => {
  it("stoppedAt is the stop's time only while the phase is stopped", () => {
    expect(stoppedAt([])).toBeUndefined();
    expect(stoppedAt([started()])).toBeUndefined();
    expect(stoppedAt([started(), stopped()])).toBe(STOP);
    expect(stoppedAt([started(), stopped(), { type: 799, status: 0, at: STOP + 5 }])).toBe(STOP);
    expect(stoppedAt([stopped(), started(STOP + 1)])).toBeUndefined();
  });

  it("answers from a stopped record whose final NotExist was asked after the stop", () => {
    const final = notExist(STOP + 1);
    expect(answersFromRecord({ events: [started(), stopped()], final })).toBe(final);
    expect(confirmsStop([started(), stopped()], final)).toBe(true);
  });

  it("asks TRTC otherwise: no final, an answer from before or at the stop, InProgress, not stopped, no record", () => {
    const events = [started(), stopped()];
    expect(answersFromRecord({ events })).toBeUndefined();
    expect(answersFromRecord({ events, final: notExist(STOP) })).toBeUndefined();
    expect(answersFromRecord({ events, final: notExist(STOP - 1) })).toBeUndefined();
    expect(answersFromRecord({ events, final: { status: "InProgress", requestId: "r", checkedAt: STOP + 1 } })).toBeUndefined();
    expect(answersFromRecord({ events: [started()], final: notExist(STOP + 1) })).toBeUndefined();
    // A start recorded after the stop and after the answer: the relay runs again.
    expect(answersFromRecord({ events: [...events, started(STOP + 10)], final: notExist(STOP + 1) })).toBeUndefined();
    expect(answersFromRecord({ events: [], final: notExist(STOP + 1) })).toBeUndefined();
    expect(answersFromRecord(null)).toBeUndefined();
    expect(answersFromRecord(undefined)).toBeUndefined();
  });
});

describe("the stored member format", () => {
  it("is type:status:at, and reads back what it wrote", () => {
    expect(encodeEvent(started())).toBe(`701:0:${T0}`);
    expect(decodeEvent(`701:0:${T0}`)).toEqual(started());
    expect(decodeEvent("702:-1:5")).toEqual({ type: 702, status: -1, at: 5 });
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 8.64e15 }), (type, status, at) => {
        expect(decodeEvent(encodeEvent({ type, status, at }))).toEqual({ type: type || 0, status: status || 0, at });
      }),
    );
  });

  it("skips anything else", () => {
    for (const member of ["", "701:0", "701:0:1:2", "a:0:1", "701:0:-5", "701:0:1.5", " 701:0:1", "701:0:99999999999999999", "701:0:9999999999999999", "701:0:1\n"]) {
      expect(decodeEvent(member), member).toBeUndefined();
    }
  });

  it("decodeEvents gives a record's events: strays skipped, deduplicated, ordered, capped", () => {
    const members = ["junk", encodeEvent(stopped()), encodeEvent(started()), encodeEvent(started())];
    expect(decodeEvents(members)).toEqual([started(), stopped()]);
    const many = Array.from({ length: 30 }, (_, i) => encodeEvent({ type: 701, status: 2, at: T0 + i }));
    expect(decodeEvents(many).map((e) => e.at)).toEqual(Array.from({ length: RECORD_MAX_EVENTS }, (_, i) => T0 + 10 + i));
  });
});

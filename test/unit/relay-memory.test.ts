import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_TASKS, MemoryRecords } from "../../lib/relay/memory-records";
import { answersFromRecord } from "../../lib/relay/record";
import { RECORD_MAX_EVENTS, type RelayEvent, type TaskRef } from "../../lib/relay/types";

const T0 = Date.parse("2026-11-24T10:00:00.000Z");
const RETENTION = 3_600_000;
const TIMEOUT = 200;
const task = (taskId: string, sdkAppId = 1400000001, region = "ap-singapore"): TaskRef => ({ sdkAppId, taskId, region });
const started = (at = T0): RelayEvent => ({ type: 701, status: 0, at });
const stopped = (at = T0 + 300_000): RelayEvent => ({ type: 702, status: 0, at });

/** A store on a clock the test moves. */
function setup(maxTasks?: number) {
  const clock = { now: T0 };
  const records = new MemoryRecords({ now: () => clock.now, maxTasks });
  return { clock, records };
}

describe("MemoryRecords", () => {
  it("records events per (SdkAppId, TaskId), whatever the region; a duplicate is answered as one", async () => {
    const { records } = setup();
    expect(await records.readRecord(task("a"), TIMEOUT)).toBeNull();
    expect(await records.recordEvent(task("a"), started(), RETENTION, TIMEOUT)).toBe("recorded");
    expect(await records.recordEvent(task("a", 1400000001, "ap-guangzhou"), started(), RETENTION, TIMEOUT)).toBe("duplicate");
    expect(await records.recordEvent(task("a"), stopped(), RETENTION, TIMEOUT)).toBe("recorded");
    expect(await records.readRecord(task("a", 1400000001, "na-siliconvalley"), TIMEOUT)).toEqual({ events: [started(), stopped()] });
    expect(await records.readRecord(task("a", 1400000002), TIMEOUT)).toBeNull();
    // The SdkAppId is digits, so no TaskId can make two tasks share a key ("1" + ":2:x" vs "12" + "::x").
    await records.recordEvent(task("2:x", 1), started(), RETENTION, TIMEOUT);
    expect(await records.readRecord(task(":x", 12), TIMEOUT)).toBeNull();
  });

  it(`keeps the record's rules: ordered by EventMsTs, at most ${RECORD_MAX_EVENTS}`, async () => {
    const { records } = setup();
    for (let i = 24; i >= 0; i--) await records.recordEvent(task("a"), { type: 701, status: 2, at: T0 + i }, RETENTION, TIMEOUT);
    const record = await records.readRecord(task("a"), TIMEOUT);
    expect(record!.events.map((e) => e.at)).toEqual(Array.from({ length: RECORD_MAX_EVENTS }, (_, i) => T0 + 5 + i));
  });

  it("forgets a record retentionMs after its last write (an event, a duplicate, a settled answer)", async () => {
    const { clock, records } = setup();
    await records.recordEvent(task("a"), started(), RETENTION, TIMEOUT);
    clock.now += RETENTION - 1;
    expect(await records.readRecord(task("a"), TIMEOUT)).not.toBeNull();
    expect(await records.recordEvent(task("a"), started(), RETENTION, TIMEOUT)).toBe("duplicate"); // written again
    clock.now += RETENTION - 1;
    expect(await records.readRecord(task("a"), TIMEOUT)).not.toBeNull();
    await records.settleRecord(task("a"), { status: "NotExist", requestId: "r", checkedAt: clock.now }, RETENTION, TIMEOUT);
    clock.now += RETENTION - 1;
    expect(await records.readRecord(task("a"), TIMEOUT)).not.toBeNull();
    clock.now += 1;
    expect(await records.readRecord(task("a"), TIMEOUT)).toBeNull();
    // An expired record is gone for good: an event after it starts a new record.
    expect(await records.recordEvent(task("a"), stopped(), RETENTION, TIMEOUT)).toBe("recorded");
    expect(await records.readRecord(task("a"), TIMEOUT)).toEqual({ events: [stopped()] });
  });

  it("drops expired records on later writes, so they hold no memory once forgotten", async () => {
    const { clock, records } = setup();
    for (let i = 0; i < 50; i++) await records.recordEvent(task(`old-${i}`), started(), RETENTION, TIMEOUT);
    clock.now += RETENTION;
    await records.recordEvent(task("new"), started(), RETENTION, TIMEOUT);
    expect(records.size).toBe(1);
  });

  it("holds at most maxTasks, dropping the least recently written first", async () => {
    const { records } = setup(3);
    for (const id of ["a", "b", "c"]) await records.recordEvent(task(id), started(), RETENTION, TIMEOUT);
    await records.recordEvent(task("a"), stopped(), RETENTION, TIMEOUT); // a is now the most recent write
    await records.recordEvent(task("d"), started(), RETENTION, TIMEOUT);
    expect(records.size).toBe(3);
    expect(await records.readRecord(task("b"), TIMEOUT)).toBeNull();
    for (const id of ["a", "c", "d"]) expect(await records.readRecord(task(id), TIMEOUT), id).not.toBeNull();
  });

  it(`holds ${DEFAULT_MAX_TASKS} tasks by default`, async () => {
    const { records } = setup();
    for (let i = 0; i <= DEFAULT_MAX_TASKS; i++) await records.recordEvent(task(`t-${i}`), started(), RETENTION, TIMEOUT);
    expect(records.size).toBe(DEFAULT_MAX_TASKS);
    expect(await records.readRecord(task("t-0"), TIMEOUT)).toBeNull();
    expect(await records.readRecord(task(`t-${DEFAULT_MAX_TASKS}`), TIMEOUT)).not.toBeNull();
  });

  it("keeps the final answer with the record, through later events, and forgets it with the record", async () => {
    const { clock, records } = setup();
    const final = { status: "NotExist", requestId: "req-final", checkedAt: T0 + 300_001 };
    await records.settleRecord(task("none"), final, RETENTION, TIMEOUT);
    expect(await records.readRecord(task("none"), TIMEOUT)).toBeNull(); // no record: nothing to settle
    await records.recordEvent(task("a"), started(), RETENTION, TIMEOUT);
    await records.recordEvent(task("a"), stopped(), RETENTION, TIMEOUT);
    await records.settleRecord(task("a"), final, RETENTION, TIMEOUT);
    expect(answersFromRecord(await records.readRecord(task("a"), TIMEOUT))).toEqual(final);
    await records.recordEvent(task("a"), { type: 799, status: 0, at: T0 + 400_000 }, RETENTION, TIMEOUT);
    expect(await records.readRecord(task("a"), TIMEOUT)).toMatchObject({ final });
    clock.now += RETENTION;
    expect(await records.readRecord(task("a"), TIMEOUT)).toBeNull();
  });

  it("answers with copies: a caller changing what it read changes nothing stored", async () => {
    const { records } = setup();
    await records.recordEvent(task("a"), started(), RETENTION, TIMEOUT);
    await records.settleRecord(task("a"), { status: "NotExist", requestId: "r", checkedAt: 1 }, RETENTION, TIMEOUT);
    const read = (await records.readRecord(task("a"), TIMEOUT))!;
    read.events[0]!.at = 0;
    read.events.push(started(1));
    read.final!.status = "InProgress";
    expect(await records.readRecord(task("a"), TIMEOUT)).toEqual({ events: [started()], final: { status: "NotExist", requestId: "r", checkedAt: 1 } });
  });

  it("always answers (never undefined, the store's 'did not answer')", async () => {
    const { records } = setup();
    const answers = [
      await records.recordEvent(task("a"), started(), RETENTION, 0),
      await records.recordEvent(task("a"), started(), RETENTION, 0),
      await records.readRecord(task("a"), 0),
      await records.readRecord(task("b"), 0),
    ];
    expect(answers.every((answer) => answer !== undefined)).toBe(true);
  });
});

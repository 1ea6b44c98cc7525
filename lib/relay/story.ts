/**
 * Status answers told with the relay's story: a query for a task with a record carries `relay`; once the record says
 * the relay stopped and one TRTC answer asked after the stop said NotExist, that answer is kept with the record and
 * every later query is answered from it with no upstream request (CONTRACT.md "No polling after the end").
 *
 * Reading the record costs one store call per query, so it is made only when callbacks can arrive at all (a key is
 * configured): without one there is never a record.
 */
import { cachedResult, emptyStats, type QueryStats, type SuccessResult, type TaskResult } from "../query-task";
import { answersFromRecord, confirmsStop, relayOf, stoppedAt } from "./record";
import type { CachedStatus, RecordStore, TaskRecord, TaskRef } from "./types";

type Answer = { result: TaskResult; stats: QueryStats };

/** A query: `fresh` asks TRTC whatever the status cache holds (the confirming request after a stop). */
export type Ask = (fresh: boolean) => Promise<Answer>;

export interface StoryDeps {
  records: RecordStore;
  retentionMs: number;
  /** Bound of a record read or write, ms. */
  timeoutMs: number;
}

function fromRecord(final: CachedStatus, task: TaskRef, record: TaskRecord): SuccessResult {
  return { ...cachedResult(final, { SdkAppId: task.sdkAppId, TaskId: task.taskId }, task.region), relay: relayOf(record.events) };
}


/** One task's answer, told with its record: from the record after a confirmed stop, else from TRTC with `relay`. */
export async function queryWithStory(task: TaskRef, ask: Ask, deps: StoryDeps): Promise<Answer> {
  const record = await deps.records.readRecord(task, deps.timeoutMs);
  if (!record || record.events.length === 0) return ask(false);
  const final = answersFromRecord(record);
  if (final) return { result: fromRecord(final, task, record), stats: { ...emptyStats(), cacheHits: 1 } };
  const stopped = stoppedAt(record.events) !== undefined;
  const answer = await ask(stopped);
  const { result } = answer;
  if (!result.ok) return { result: { ...result, relay: relayOf(record.events) }, stats: answer.stats };
  const checked: CachedStatus = { status: result.status, requestId: result.requestId, checkedAt: Date.parse(result.checkedAt) };
  if (confirmsStop(record.events, checked)) await deps.records.settleRecord(task, checked, deps.retentionMs, deps.timeoutMs);
  return { result: { ...result, relay: relayOf(record.events) }, stats: answer.stats };
}

/**
 * Resolves true as soon as the task's record says it stopped, or false at `until` (epoch ms): a wait for NotExist
 * listens for the stop between its polls. The record is read every `everyMs` (a cheap read; Redis keyspace
 * notifications would need CONFIG access that managed Redis services do not give).
 */
export async function stopRecorded(
  task: TaskRef,
  until: number,
  deps: StoryDeps & { everyMs: number; now: () => number; sleep: (ms: number) => Promise<void> },
): Promise<boolean> {
  for (;;) {
    const record = await deps.records.readRecord(task, deps.timeoutMs);
    if (record && stoppedAt(record.events) !== undefined) return true;
    const left = until - deps.now();
    if (left <= 0) return false;
    await deps.sleep(Math.min(deps.everyMs, left));
  }
}

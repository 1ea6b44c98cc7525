/**
 * Records in this container's memory: the RecordStore when no Redis is configured (enough for `npm start` and a
 * single container). Every call answers at once, so it never answers undefined and ignores its time bound.
 */
import { mergeEvent } from "./record";
import type { CachedStatus, RecordOutcome, RecordStore, RelayEvent, TaskRecord, TaskRef } from "./types";

export interface MemoryRecordsOptions {
  /** The clock, epoch ms (tests inject one). */
  now?: () => number;
  /** Tasks kept at most; the least recently written is dropped first. */
  maxTasks?: number;
}

/**
 * 10,000 tasks: measured on Node 20, a full record (20 events, a settled answer, a 256-character TaskId) holds about
 * 2 KB of heap and the usual one (started, stopped, settled, a 32-character TaskId) about 0.5 KB, so the bound
 * costs ~20 MB at worst and ~5 MB usually.
 */
export const DEFAULT_MAX_TASKS = 10_000;

interface Entry {
  record: TaskRecord;
  /** Epoch ms: `retentionMs` after the last write. */
  expiresAt: number;
}

/** Records are per (SdkAppId, TaskId), whatever the region. The SdkAppId is digits, so the first ':' splits the two. */
const keyOf = (task: TaskRef): string => `${task.sdkAppId}:${task.taskId}`;

const copyOf = (record: TaskRecord): TaskRecord => {
  const events = record.events.map((event) => ({ ...event }));
  return record.final === undefined ? { events } : { events, final: { ...record.final } };
};

export class MemoryRecords implements RecordStore {
  readonly #now: () => number;
  readonly #maxTasks: number;
  /** In write order (a write re-inserts its key): the first entry is the least recently written. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: MemoryRecordsOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxTasks = Math.max(1, options.maxTasks ?? DEFAULT_MAX_TASKS);
  }

  /** Tasks held now (expired ones not yet swept included). */
  get size(): number {
    return this.#entries.size;
  }

  async recordEvent(task: TaskRef, event: RelayEvent, retentionMs: number, _timeoutMs?: number): Promise<RecordOutcome> {
    const key = keyOf(task);
    const current = this.#live(key);
    const { events, added } = mergeEvent(current?.events ?? [], event);
    // A duplicate (TRTC delivering again) counts as a write too: the record is kept `retentionMs` from now.
    this.#write(key, current?.final === undefined ? { events } : { events, final: current.final }, retentionMs);
    return added ? "recorded" : "duplicate";
  }

  /** A copy of the task's record (at most 20 events: cheap enough to call every second while a wait listens). */
  async readRecord(task: TaskRef, _timeoutMs?: number): Promise<TaskRecord | null> {
    const record = this.#live(keyOf(task));
    return record === undefined ? null : copyOf(record);
  }

  /** Keeps `final` with the task's record; nothing when the task has no record (it expired, or never had one). */
  async settleRecord(task: TaskRef, final: CachedStatus, retentionMs: number, _timeoutMs?: number): Promise<void> {
    const key = keyOf(task);
    const current = this.#live(key);
    if (current !== undefined) this.#write(key, { events: current.events, final: { ...final } }, retentionMs);
  }

  /** The key's record unless it expired (an expired one is dropped). */
  #live(key: string): TaskRecord | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.#now()) return entry.record;
    this.#entries.delete(key);
    return undefined;
  }

  #write(key: string, record: TaskRecord, retentionMs: number): void {
    const now = this.#now();
    this.#entries.delete(key);
    this.#entries.set(key, { record, expiresAt: now + retentionMs });
    this.#sweep(now);
  }

  /**
   * Drops expired records from the front (with one retention for all, write order is expiry order, so this stops
   * at the first live one), then the least recently written while over the bound. Memory stays bounded however
   * many tasks send callbacks; the record dropped is the one that went quiet longest ago, most likely of a relay
   * long ended and least likely still waited on. Losing it costs a poll to TRTC later, never a wrong answer: the
   * status is always TRTC's, and without a record nothing is answered from one.
   */
  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size <= this.#maxTasks) break;
      this.#entries.delete(key);
    }
  }
}

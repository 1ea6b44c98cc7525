/**
 * The relay's story as TRTC's stream-ingest callbacks tell it (CONTRACT.md "Callbacks: the relay's story"): the types
 * shared by the pure record logic (record.ts), the callback receiver (callback.ts) and the stores (memory, Redis).
 */

/** One task, as the fleet's keys name it. Records are per (SdkAppId, TaskId); the status cache is per region too. */
export interface TaskRef {
  sdkAppId: number;
  taskId: string;
  region: string;
}

/** One stream-ingest event as recorded: TRTC's EventType (701, 702, …), its EventInfo.Status, and EventMsTs. */
export interface RelayEvent {
  type: number;
  status: number;
  /** EventInfo.EventMsTs, epoch ms. */
  at: number;
}

/** A status TRTC answered, as kept by the cache and by a record: what it said and when it was asked (epoch ms). */
export interface CachedStatus {
  status: string;
  requestId: string;
  checkedAt: number;
}

/** What is kept for one task. */
export interface TaskRecord {
  /** Oldest first (by `at`), deduplicated on (type, status, at), at most RECORD_MAX_EVENTS, the latest kept. */
  events: RelayEvent[];
  /** The NotExist answer TRTC gave after the recorded stop: later queries are answered from it. */
  final?: CachedStatus;
}

/** The contract keeps at most the 20 latest events of a task. */
export const RECORD_MAX_EVENTS = 20;

export type RecordOutcome = "recorded" | "duplicate";

/**
 * Where records live: this container's memory (no Redis), or the fleet's Redis. Every call is bounded; `undefined`
 * means the store did not answer in time (a callback is then answered 503, so that TRTC delivers it again).
 */
export interface RecordStore {
  /** Adds one event to the task's record, kept for `retentionMs` from now; within `timeoutMs`. */
  recordEvent(task: TaskRef, event: RelayEvent, retentionMs: number, timeoutMs: number): Promise<RecordOutcome | undefined>;
  /** The task's record; null when it has none; undefined when the store did not answer within `timeoutMs`. */
  readRecord(task: TaskRef, timeoutMs: number): Promise<TaskRecord | null | undefined>;
  /** Keeps the confirming NotExist answer with the record, for `retentionMs` from now. Best effort, bounded. */
  settleRecord(task: TaskRef, final: CachedStatus, retentionMs: number, timeoutMs: number): Promise<void>;
}

/** The events the contract names: 701 with Status 0, 1, 2 and 702 with Status 0 (trtc.io/document/62717). */
export type RelayEventName = "started" | "startFailed" | "restarting" | "stopped";

/** One event as answers show it (`at` an ISO time). */
export type RelayEntry =
  | { event: RelayEventName; at: string }
  /** Another type or status of group 7: kept and shown, but it sets no phase. */
  | { event: "unknown"; eventType: number; status: number; at: string };

/** The `relay` member of an answer (record.ts relayOf). `phase` and `since` are absent when every event is unknown. */
export interface Relay {
  phase?: RelayEventName;
  since?: string;
  /** Oldest first. */
  events: RelayEntry[];
}

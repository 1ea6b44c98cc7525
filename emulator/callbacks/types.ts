/**
 * Public types of the emulator's stream-ingest callbacks: TRTC's side of "Push Online Media Stream Webhooks"
 * (trtc.io/document/62717; signature: trtc.io/document/54912).
 */

/** EVENT_GROUP_STREAM_INGEST (trtc.io/document/62717, "Event Group ID"). */
export const EVENT_GROUP_STREAM_INGEST = 7;
/** EVENT_TYPE_STREAM_INGEST_START / _STOP (trtc.io/document/62717, "Event Type"). */
export const EVENT_TYPE_START = 701;
export const EVENT_TYPE_STOP = 702;
/** 701's Status: STATUS_START_SUCCESS, STATUS_START_FAILURE, STATUS_START_AGAIN; 702's: STATUS_STOP_SUCCESS. */
export const START_SUCCESS = 0;
export const START_FAILURE = 1;
export const START_AGAIN = 2;
export const STOP_SUCCESS = 0;

export type StreamIngestEventType = typeof EVENT_TYPE_START | typeof EVENT_TYPE_STOP;

/** TRTC's delivery rules (trtc.io/document/62717, "Timeout Retry"); shorter values let tests run them quickly. */
export interface CallbackTiming {
  /** An attempt not answered within this long has failed (TRTC: 5 s). */
  answerTimeoutMs: number;
  /** After the immediate retry, each failure is followed by another attempt this long later (TRTC: 10 s). */
  retryIntervalMs: number;
  /** No attempt starts later than this after the first; the event is then given up (TRTC: 1 minute). */
  retryWindowMs: number;
}

/** What the TRTC console holds for an application's callbacks: where to POST, and the signature key. */
export interface CallbackSettings {
  /** http:// or https:// URL that receives every stream-ingest event. */
  url: string;
  /** The signature key: 1 to 32 letters and digits, as the console takes it. Never printed. */
  key: string;
  timing?: Partial<CallbackTiming>;
  /**
   * The body's bytes: "compact" JSON (default; the stream-ingest page's signature example) or "tabbed", cJSON's
   * printed form (new lines and tabs) that the signature page's verified example carries. Both are signed as sent.
   */
  bodyStyle?: "compact" | "tabbed";
  /** EventMsTs as a JSON number (default; every example body) or a string of digits (the field table says String). */
  eventMsTsAs?: "number" | "string";
}

/** The settings in effect, without the key. */
export interface CallbackSettingsView {
  url: string | null;
  timing: CallbackTiming;
  bodyStyle: "compact" | "tabbed";
  eventMsTsAs: "number" | "string";
}

export type CallbackFaultSpec =
  /** The event is never sent. */
  | { type: "lose" }
  /** The event is delivered twice (two independent deliveries, each with its own retries). */
  | { type: "duplicate" }
  /** Held back until the task's next event has had its first attempt (or `maxHoldMs`, default 5000, has passed). */
  | { type: "reorder"; maxHoldMs?: number }
  /** The first attempt is sent `ms` late (CallbackMsTs says when it was sent; EventMsTs keeps the event's time). */
  | { type: "delay"; ms: number }
  /** A starting task fails to start: 701 Status 1 instead of 0, and the task does not run (Describe: NotExist). */
  | { type: "start-fails" }
  /** `afterMs` (default 0) after its 701 Status 0 the task restarts: 701 Status 2, then `ms` (default 1000) later 701 Status 0. */
  | { type: "restart"; ms?: number; afterMs?: number };

export type CallbackFaultType = CallbackFaultSpec["type"];

/** A fault rule for callbacks; no `times` = until cleared. */
export interface CallbackFaultRule {
  /** The fault, or just its type where it takes no parameters (`"lose"`). */
  fault: CallbackFaultSpec | CallbackFaultType;
  /** Affect this many events, then disappear. */
  times?: number;
  /** Only events of this type (701 or 702); default both. `start-fails` and `restart` act on 701 only. */
  eventType?: StreamIngestEventType;
}

/** One attempt to deliver an event. */
export interface CallbackAttempt {
  /** When it was sent: the body's CallbackMsTs. */
  at: number;
  durationMs: number;
  /** The HTTP status answered, if any. */
  httpStatus?: number;
  /** Why it failed without an HTTP status: "timeout", a socket error code (ECONNREFUSED, ECONNRESET, …), "cancelled". */
  error?: string;
  /** HTTP 200: TRTC ignores the answer's body. */
  ok: boolean;
}

export type CallbackDeliveryState = "pending" | "held" | "delivered" | "given-up" | "lost" | "cancelled";

/** One event as TRTC sends it, and what became of it: one entry per copy (a duplicated event has two). */
export interface CallbackLogEntry {
  id: number;
  sdkAppId: number;
  taskId: string;
  eventType: number;
  status: number;
  /** When the event happened: the body's EventInfo.EventMsTs. */
  eventMsTs: number;
  url: string;
  /** The faults that acted on this event. */
  faults: CallbackFaultType[];
  state: CallbackDeliveryState;
  attempts: CallbackAttempt[];
}

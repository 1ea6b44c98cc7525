/**
 * What one invocation came to, as a value: the core returns it, and one step (lib/render.ts) turns it into what the
 * caller gets and into the one log line. Every path — a result, a refusal, a configuration error, a bug, a batch, a
 * wait, a callback, a CORS preflight — ends as one of these.
 */
import type { BatchResult } from "./batch";
import { TrtcFunctionError } from "./errors";
import type { RawParams } from "./params";
import { emptyStats, failureResult, type QueryStats, type TaskResult } from "./query-task";
import type { RecordOutcome } from "./relay/types";
import type { WaitedResult } from "./wait";

export type Outcome =
  /** One task's result (a success or a classified failure), with or without a wait, and what it cost. */
  | { kind: "task"; result: TaskResult | WaitedResult; stats: QueryStats }
  | { kind: "batch"; result: BatchResult; stats: QueryStats }
  /** A TRTC callback: recorded, a duplicate, ignored (another event group), or refused with a classified error. */
  | { kind: "callback"; callback: CallbackOutcome }
  /** A CORS preflight: answered 204 with the CORS headers, no query. */
  | { kind: "preflight" };

export type CallbackOutcome =
  | { ok: true; recorded: RecordOutcome | "ignored"; sdkAppId?: number; taskId?: string; eventType?: number; status?: number }
  | { ok: false; error: TrtcFunctionError; sdkAppId?: number; taskId?: string };

/** A failure of the whole invocation, echoing the parameters picked where they are valid. */
export function failureOutcome(error: TrtcFunctionError, params?: RawParams): Outcome {
  return { kind: "task", result: failureResult(error, params), stats: emptyStats() };
}

/** Anything thrown that is not ours is a bug: InternalError.Function, the cause kept for the log. */
export function asFunctionError(error: unknown): TrtcFunctionError {
  if (error instanceof TrtcFunctionError) return error;
  return new TrtcFunctionError("InternalError.Function", "The function failed unexpectedly", { cause: error });
}

/**
 * The input step: what one invocation asks for, read from its event once and judged whole, as a value. Pure; no
 * I/O; never throws for anything an event holds. Every input rule of the contract is applied here, in this order
 * (the first fault found is the answer):
 *
 *   1. the event is a JSON object                               InvalidRequest.Event
 *   2. HTTP only: OPTIONS with CORS on is a preflight; else the method is GET or POST     InvalidRequest.Method
 *   3. HTTP only: the body is absent or a JSON object           RequestSizeLimitExceeded, InvalidRequest.Body
 *   4. HTTP POST whose body names EventGroupId: a TRTC callback, verified later with the key (lib/relay/callback.ts);
 *      anything else on the callback route (…/stream-ingest/callback)  InvalidRequest.Body
 *   5. a batch (TaskIds or Tasks named): its shape              InvalidRequest.Batch, InvalidRequest.BatchTooLarge
 *      then each task on its own (a bad one fails in its slot, the others still run)
 *   6. a single task: SdkAppId, then TaskId                     MissingParameter.*, InvalidParameter.*
 *   7. the allow-list (per task in a batch)                     Forbidden.SdkAppId
 *   8. the wait options, when waitFor is present                InvalidParameter.WaitFor, ...
 *
 * Names are read with the one picker (params.ts's pickLast): own keys only, later sources win.
 */
import { TrtcFunctionError } from "./errors";
import { headersOf, httpRequestOf, isHttpKind, isObject, parseJsonBody, rawBodyBytes, triggerOf, urlPathOf, type EventKind, type HttpRequest } from "./events";
import {
  checkTaskParams,
  checkWaitOptions,
  MAX_BATCH_TASKS,
  pickLast,
  pickTaskParams,
  type RawParams,
  type TaskParams,
  type WaitOptions,
} from "./params";
import { failureResult, type FailureResult } from "./query-task";

type Json = Record<string, unknown>;

/** One slot of a batch: a task to ask TRTC about, or the failure it already has. */
export type BatchTask = { ok: true; params: TaskParams } | { ok: false; failure: FailureResult };

/** A TRTC callback as it arrived: header names lower-cased, the body's bytes exactly as TRTC sent them. */
export interface CallbackRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/** What an invocation asks for, or why it is refused. */
export type Reading =
  | { kind: "single"; params: TaskParams; wait?: WaitOptions }
  /** `params`: the batch's own SdkAppId as picked, for what a failure of the whole batch may echo. */
  | { kind: "batch"; tasks: BatchTask[]; params: RawParams }
  | { kind: "callback"; request: CallbackRequest }
  | { kind: "preflight" }
  /**
   * Refused as a whole; `params` as picked, for what the failure may echo. `callback`: it came to the callback route,
   * so it is answered as a callback is (TRTC's `{code, error}`), whatever was wrong with it.
   */
  | { kind: "refused"; error: TrtcFunctionError; params: RawParams; callback: boolean };

export interface InputOptions {
  /** TRTC_ALLOWED_SDK_APP_IDS; undefined allows any. */
  allowed?: ReadonlySet<number>;
  /** CORS is on (CORS_ALLOWED_ORIGINS): an OPTIONS request is a preflight, answered without a query. */
  preflight?: boolean;
}

const ALLOWED_METHODS = new Set(["GET", "POST"]);
/** Where deployments route TRTC's callbacks (serverless.yml, deploy/scf/callback). */
const CALLBACK_ROUTE = /\/stream-ingest\/callback\/?$/;
const NAMES = { TaskIds: ["TaskIds", "taskIds"], Tasks: ["Tasks", "tasks"] } as const;
const WAIT_FOR = ["waitFor"] as const;

const forbidden = (sdkAppId: number): TrtcFunctionError =>
  new TrtcFunctionError("Forbidden.SdkAppId", `This deployment may not query SdkAppId ${sdkAppId}`);

const batchError = (message: string) => new TrtcFunctionError("InvalidRequest.Batch", message);

/** An HTTP request this function will read: its method allowed, its body a JSON object (or none). */
interface ReadableHttp {
  request: HttpRequest;
  body: Json;
}

/** Steps 1–3 for HTTP events: the request and its parsed body, or a preflight. Throws the refusal. */
function readHttp(kind: EventKind | undefined, event: unknown, preflight: boolean): ReadableHttp | "preflight" | undefined {
  if (kind === undefined) {
    // A trigger event that is not an HTTP request (a queue, storage, a schedule) asks for no status: say which it is.
    const trigger = triggerOf(event);
    const what = trigger ? `${trigger}, not a status query` : "not a JSON object";
    throw new TrtcFunctionError("InvalidRequest.Event", `The event is ${what}; invoke with {"SdkAppId": <number>, "TaskId": "<id>"} or through an HTTP route`);
  }
  if (!isHttpKind(kind)) return undefined;
  const request = httpRequestOf(kind, event as Json);
  if (request.method === "OPTIONS" && preflight) return "preflight";
  if (!ALLOWED_METHODS.has(request.method)) {
    throw new TrtcFunctionError("InvalidRequest.Method", `Method ${request.method.slice(0, 16)} is not allowed; use GET or POST`);
  }
  return { request, body: parseJsonBody(request.body, request.isBase64Encoded) };
}

/**
 * The raw parameter sources of an event, most specific last: for HTTP events path, then query, then body (the body
 * wins where both name a field); for a direct invocation, the event itself.
 */
export function parameterSources(kind: EventKind | undefined, event: unknown): Json[] {
  const http = readHttp(kind, event, false);
  if (http === "preflight") return [];
  return http ? [http.request.path, http.request.query, http.body] : [event as Json];
}

/**
 * A batch, when the sources name TaskIds or Tasks (undefined otherwise). Faults of the batch as a whole throw;
 * each task is judged on its own. `single` is the sources' own SdkAppId/TaskId.
 */
function readBatch(sources: Json[], single: RawParams, http: boolean, allowed: ReadonlySet<number> | undefined): BatchTask[] | undefined {
  // "" counts as a value here: `TaskIds=` in a query is a batch request that is malformed, not a single one.
  const taskIds = pickLast(sources, NAMES.TaskIds, true);
  const tasks = pickLast(sources, NAMES.Tasks, true);
  if (taskIds === undefined && tasks === undefined) return undefined;
  if (taskIds !== undefined && tasks !== undefined) throw batchError("Send TaskIds or Tasks, not both");
  if (single.TaskId !== undefined) throw batchError("Send TaskId (one task) or a batch, not both");
  if (pickLast(sources, WAIT_FOR, true) !== undefined) throw batchError("waitFor applies to one task, not to a batch");

  const list = taskIds ?? tasks;
  const name = taskIds !== undefined ? "TaskIds" : "Tasks";
  if (!Array.isArray(list)) throw batchError(`${name} must be a JSON array${http ? " in a JSON body" : ""}`);
  if (list.length === 0) throw batchError(`${name} must name at least one task`);
  if (list.length > MAX_BATCH_TASKS) {
    throw new TrtcFunctionError("InvalidRequest.BatchTooLarge", `A batch may name at most ${MAX_BATCH_TASKS} tasks; this one names ${list.length}`);
  }
  const shared: Json = single.SdkAppId === undefined ? {} : { SdkAppId: single.SdkAppId };
  const raws = list.map((item, index) => {
    if (taskIds !== undefined) return pickTaskParams([shared, { TaskId: item }]);
    if (!isObject(item)) throw batchError(`Tasks[${index}] must be an object {SdkAppId, TaskId}`);
    return pickTaskParams([shared, item]); // a task's own SdkAppId wins over the batch's
  });
  return raws.map((raw) => {
    const judged = judgeTask(raw, allowed);
    return judged.ok ? judged : { ok: false, failure: failureResult(judged.error, raw) };
  });
}

/** One task's parameters judged: checked, then allow-listed. */
function judgeTask(raw: RawParams, allowed: ReadonlySet<number> | undefined): { ok: true; params: TaskParams } | { ok: false; error: TrtcFunctionError } {
  const checked = checkTaskParams(raw);
  if (!checked.ok || allowed === undefined || allowed.has(checked.params.SdkAppId)) return checked;
  return { ok: false, error: forbidden(checked.params.SdkAppId) };
}

/** The wait options, checked; undefined when the sources name no `waitFor`. */
export function readWaitOptions(sources: readonly Json[], http = false): WaitOptions | undefined {
  if (pickLast(sources, WAIT_FOR, true) === undefined) return undefined;
  const option = (name: string) => pickLast(sources, [name], true);
  return checkWaitOptions({ waitFor: option("waitFor"), waitTimeoutSeconds: option("waitTimeoutSeconds"), pollIntervalSeconds: option("pollIntervalSeconds") }, http);
}

/** The status query the sources make: a batch, or one task with an optional wait. Throws the refusal. */
function readQuery(sources: Json[], params: RawParams, http: boolean, allowed: ReadonlySet<number> | undefined): Reading {
  const tasks = readBatch(sources, params, http, allowed);
  if (tasks) return { kind: "batch", tasks, params };
  const judged = judgeTask(params, allowed);
  if (!judged.ok) return { kind: "refused", error: judged.error, params, callback: false };
  const wait = readWaitOptions(sources, http);
  return wait ? { kind: "single", params: judged.params, wait } : { kind: "single", params: judged.params };
}

/** The input step: event kind + raw event → what it asks for, or why it is refused. */
export function readInput(kind: EventKind | undefined, event: unknown, { allowed, preflight = false }: InputOptions = {}): Reading {
  let params: RawParams = {};
  const onCallbackRoute = kind !== undefined && isHttpKind(kind) && CALLBACK_ROUTE.test(urlPathOf(kind, event as Json));
  try {
    const http = readHttp(kind, event, preflight);
    if (http === "preflight") return { kind: "preflight" };
    if (http && http.request.method === "POST" && Object.hasOwn(http.body, "EventGroupId")) {
      return { kind: "callback", request: { headers: headersOf(event), body: rawBodyBytes(http.request) } };
    }
    // The callback route is open at the gateway (TRTC cannot sign an IAM or CAM request): it answers callbacks only,
    // never a status query, which would reach TRTC past the status route's own auth.
    if (onCallbackRoute) {
      throw new TrtcFunctionError("InvalidRequest.Body", "This route takes TRTC stream-ingest callbacks only: a POST whose JSON body carries EventGroupId");
    }
    const sources = http ? [http.request.path, http.request.query, http.body] : [event as Json];
    params = pickTaskParams(sources);
    return readQuery(sources, params, http !== undefined, allowed);
  } catch (error) {
    if (error instanceof TrtcFunctionError) return { kind: "refused", error, params, callback: onCallbackRoute };
    throw error;
  }
}

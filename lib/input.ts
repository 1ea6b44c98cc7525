/**
 * The input step: what one invocation asks for, read from its event once and judged whole, as a value. Pure; no
 * I/O. Every input rule of the contract is applied here, in this order (the first fault found is the answer):
 *
 *   1. the event is a JSON object                               InvalidRequest.Event
 *   2. HTTP only: the method is GET or POST                     InvalidRequest.Method
 *   3. HTTP only: the body is absent or a JSON object           RequestSizeLimitExceeded, InvalidRequest.Body
 *   4. a batch (TaskIds or Tasks named): its shape              InvalidRequest.Batch, InvalidRequest.BatchTooLarge
 *      then each task on its own (a bad one fails in its slot, the others still run)
 *   5. a single task: SdkAppId, then TaskId                     MissingParameter.*, InvalidParameter.*
 *   6. the allow-list (per task in a batch)                     Forbidden.SdkAppId
 *   7. direct only: the wait options, when waitFor is present   InvalidParameter.WaitFor, ...
 *
 * Names are read with the one picker (params.ts's pickLast): own keys only, later sources win.
 */
import { TrtcFunctionError } from "./errors";
import { httpRequestOf, isHttpKind, parseJsonBody, triggerOf, type EventKind } from "./events";
import { validateTaskParams, validateWaitOptions } from "./generated/validators";
import { MAX_BATCH_TASKS, parameterError, pickLast, pickTaskParams, waitOptionsError, type TaskParams, type WaitOptions } from "./params";
import { failureResult, type FailureResult } from "./query-task";

type Json = Record<string, unknown>;
/** SdkAppId and TaskId as picked and normalised, not yet validated (what a failure payload may echo). */
export type RawParams = Partial<Record<keyof TaskParams, unknown>>;

/** One slot of a batch: a task to ask TRTC about, or the failure it already has. */
export type BatchTask = { ok: true; params: TaskParams } | { ok: false; failure: FailureResult };

export type Input =
  | { kind: "single"; params: TaskParams; wait?: WaitOptions }
  | { kind: "batch"; tasks: BatchTask[] };

/** The step's answer: the input, or the one failure of the whole request. Either way, the parameters picked. */
export type InputReading = { params: RawParams } & ({ ok: true; input: Input } | { ok: false; error: TrtcFunctionError });

export interface InputOptions {
  /** TRTC_ALLOWED_SDK_APP_IDS; undefined allows any. */
  allowed?: ReadonlySet<number>;
}

const ALLOWED_METHODS = new Set(["GET", "POST"]);
const NAMES = { TaskIds: ["TaskIds", "taskIds"], Tasks: ["Tasks", "tasks"] } as const;
const WAIT_NAMES = ["waitFor", "waitTimeoutSeconds", "pollIntervalSeconds"] as const;
const WAIT_FOR = ["waitFor"] as const;

const isAllowed = (allowed: ReadonlySet<number> | undefined, sdkAppId: number): boolean => allowed === undefined || allowed.has(sdkAppId);

const forbidden = (sdkAppId: number): TrtcFunctionError =>
  new TrtcFunctionError("Forbidden.SdkAppId", `This deployment may not query SdkAppId ${sdkAppId}`);

const batchError = (message: string) => new TrtcFunctionError("InvalidRequest.Batch", message);

/**
 * The raw parameter sources of an event, most specific last: for HTTP events path, then query, then body (the body
 * wins where both name a field); for a direct invocation, the event itself. The HTTP request is read once.
 */
export function parameterSources(kind: EventKind | undefined, event: unknown): Json[] {
  if (kind === undefined) {
    // A trigger event that is not an HTTP request (a queue, storage, a schedule) asks for no status: say which it is.
    const trigger = triggerOf(event);
    const what = trigger ? `${trigger}, not a status query` : "not a JSON object";
    throw new TrtcFunctionError("InvalidRequest.Event", `The event is ${what}; invoke with {"SdkAppId": <number>, "TaskId": "<id>"} or through an HTTP route`);
  }
  if (!isHttpKind(kind)) return [event as Json];
  const request = httpRequestOf(kind, event as Json);
  if (!ALLOWED_METHODS.has(request.method)) {
    throw new TrtcFunctionError("InvalidRequest.Method", `Method ${request.method.slice(0, 16)} is not allowed; use GET or POST`);
  }
  return [request.path, request.query, parseJsonBody(request.body, request.isBase64Encoded)];
}

/** One task's parameters judged: validated, then allow-listed. */
function judgeTask(raw: RawParams, allowed: ReadonlySet<number> | undefined): { ok: true; params: TaskParams } | { ok: false; error: TrtcFunctionError } {
  if (!validateTaskParams(raw)) return { ok: false, error: parameterError(validateTaskParams.errors) };
  const params = { SdkAppId: raw.SdkAppId as number, TaskId: raw.TaskId as string };
  return isAllowed(allowed, params.SdkAppId) ? { ok: true, params } : { ok: false, error: forbidden(params.SdkAppId) };
}

/**
 * A batch, when the sources name TaskIds or Tasks (undefined otherwise). Faults of the batch as a whole throw;
 * each task is judged on its own. `single` is the sources' own SdkAppId/TaskId.
 */
function readBatch(sources: Json[], direct: boolean, single: RawParams, allowed: ReadonlySet<number> | undefined): BatchTask[] | undefined {
  // "" counts as a value here: `TaskIds=` in a query is a batch request that is malformed, not a single one.
  const taskIds = pickLast(sources, NAMES.TaskIds, true);
  const tasks = pickLast(sources, NAMES.Tasks, true);
  if (taskIds === undefined && tasks === undefined) return undefined;
  if (taskIds !== undefined && tasks !== undefined) throw batchError("Send TaskIds or Tasks, not both");
  if (single.TaskId !== undefined) throw batchError("Send TaskId (one task) or a batch, not both");
  if (direct && pickLast(sources, WAIT_FOR, true) !== undefined) throw batchError("waitFor applies to one task, not to a batch");

  const list = taskIds ?? tasks;
  const name = taskIds !== undefined ? "TaskIds" : "Tasks";
  if (!Array.isArray(list)) throw batchError(`${name} must be a JSON array${direct ? "" : " in a JSON body"}`);
  if (list.length === 0) throw batchError(`${name} must name at least one task`);
  if (list.length > MAX_BATCH_TASKS) {
    throw new TrtcFunctionError("InvalidRequest.BatchTooLarge", `A batch may name at most ${MAX_BATCH_TASKS} tasks; this one names ${list.length}`);
  }
  const shared: Json = single.SdkAppId === undefined ? {} : { SdkAppId: single.SdkAppId };
  const raws = list.map((item, index) => {
    if (taskIds !== undefined) return pickTaskParams([shared, { TaskId: item }]);
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw batchError(`Tasks[${index}] must be an object {SdkAppId, TaskId}`);
    return pickTaskParams([shared, item as Json]); // a task's own SdkAppId wins over the batch's
  });
  return raws.map((raw) => {
    const judged = judgeTask(raw, allowed);
    return judged.ok ? judged : { ok: false, failure: failureResult(judged.error, raw) };
  });
}

/** The wait options of a direct invocation's event, checked; undefined when it has no `waitFor`. */
export function readWaitOptions(event: Json): WaitOptions | undefined {
  const sources = [event];
  if (pickLast(sources, WAIT_FOR, true) === undefined) return undefined;
  const options: Json = {};
  for (const name of WAIT_NAMES) {
    const option = pickLast(sources, [name], true);
    if (option !== undefined) options[name] = option;
  }
  if (!validateWaitOptions(options)) throw waitOptionsError(validateWaitOptions.errors);
  return options as unknown as WaitOptions;
}

/** The input step: event kind + raw event → a single task (maybe with a wait), a batch, or a classified failure. */
export function readInput(kind: EventKind | undefined, event: unknown, { allowed }: InputOptions = {}): InputReading {
  let params: RawParams = {};
  try {
    const sources = parameterSources(kind, event);
    params = pickTaskParams(sources);
    const direct = kind === "direct";
    const tasks = readBatch(sources, direct, params, allowed);
    if (tasks) return { ok: true, params, input: { kind: "batch", tasks } };
    const judged = judgeTask(params, allowed);
    if (!judged.ok) return { ok: false, params, error: judged.error };
    const wait = direct ? readWaitOptions(event as Json) : undefined;
    return { ok: true, params, input: wait ? { kind: "single", params: judged.params, wait } : { kind: "single", params: judged.params } };
  } catch (error) {
    if (error instanceof TrtcFunctionError) return { ok: false, params, error };
    throw error;
  }
}

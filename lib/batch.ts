/**
 * Batch queries: `{"SdkAppId": n, "TaskIds": [...]}` or `{"Tasks": [{"SdkAppId": n, "TaskId": "a"}, ...]}` answer
 * `{ ok, results, summary }` with one contract result per task, in input order. Each task is validated and
 * allow-listed on its own (a bad one gets its failure in its slot; nothing is sent upstream for it). Upstream calls
 * run a few at a time through the container's fleet front door (lib/fleet/fleet.ts): paced under TRTC's rate limit,
 * retries included, with everything else the container asks.
 */
import { TrtcFunctionError } from "./errors";
import { validateTaskParams } from "./generated/validators";
import { forbidden, isAllowed } from "./middleware/allow-list";
import { MAX_BATCH_TASKS, parameterError, pickTaskParams, type TaskParams } from "./params";
import type { Fleet } from "./fleet/fleet";
import { addStats, failureResult, type QueryDeps, type QueryStats, type TaskResult } from "./query-task";

/** Upstream calls in flight at once: keeps the pace up to ~400 ms upstream latency, and bounds sockets and memory. */
export const BATCH_CONCURRENCY = 8;

type Json = Record<string, unknown>;
type RawParams = Partial<Record<keyof TaskParams, unknown>>;

const BATCH = Symbol("batch query");

export interface BatchQuery {
  readonly [BATCH]: true;
  /** Each task's raw parameters, normalised but not validated. */
  tasks: RawParams[];
}

export interface BatchSummary {
  tasks: number;
  /** Tasks TRTC answered with a status. */
  answered: number;
  running: number;
  failed: number;
}

export interface BatchResult {
  /** True when every task was answered with a status. */
  ok: boolean;
  results: TaskResult[];
  summary: BatchSummary;
}

export const isBatchQuery = (value: unknown): value is BatchQuery => typeof value === "object" && value !== null && BATCH in value;

export const isBatchResult = (value: unknown): value is BatchResult =>
  typeof value === "object" && value !== null && Array.isArray((value as BatchResult).results);

const NAMES = { TaskIds: ["TaskIds", "taskIds"], Tasks: ["Tasks", "tasks"], TaskId: ["TaskId", "taskId"] } as const;

/** The value under the first of `names` in the last source that has one (later sources win, as for single queries). */
function lastOwn(sources: Json[], names: readonly string[]): { found: boolean; value: unknown } {
  let out: { found: boolean; value: unknown } = { found: false, value: undefined };
  for (const source of sources) {
    const name = names.find((candidate) => Object.hasOwn(source, candidate) && source[candidate] !== undefined && source[candidate] !== null);
    if (name) out = { found: true, value: source[name] };
  }
  return out;
}

const batchError = (message: string) => new TrtcFunctionError("InvalidRequest.Batch", message);

/**
 * Reads a batch from the event's parameter sources; undefined when the event names no TaskIds or Tasks (a single
 * query). `single` is pickTaskParams(sources), which the caller has already read. Shape errors of the batch as a whole throw InvalidRequest.Batch / InvalidRequest.BatchTooLarge.
 */
export function readBatch(sources: Json[], options: { direct: boolean; single: RawParams }): BatchQuery | undefined {
  const taskIds = lastOwn(sources, NAMES.TaskIds);
  const tasks = lastOwn(sources, NAMES.Tasks);
  if (!taskIds.found && !tasks.found) return undefined;
  if (taskIds.found && tasks.found) throw batchError("Send TaskIds or Tasks, not both");
  const { single } = options; // the sources' own SdkAppId/TaskId, as pickTaskParams read them
  if (single.TaskId !== undefined) throw batchError("Send TaskId (one task) or a batch, not both");
  if (options.direct && lastOwn(sources, ["waitFor"]).found) throw batchError("waitFor applies to one task, not to a batch");

  const list = taskIds.found ? taskIds.value : tasks.value;
  const name = taskIds.found ? "TaskIds" : "Tasks";
  if (!Array.isArray(list)) throw batchError(`${name} must be a JSON array${options.direct ? "" : " in a JSON body"}`);
  if (list.length === 0) throw batchError(`${name} must name at least one task`);
  if (list.length > MAX_BATCH_TASKS) {
    throw new TrtcFunctionError("InvalidRequest.BatchTooLarge", `A batch may name at most ${MAX_BATCH_TASKS} tasks; this one names ${list.length}`);
  }
  const shared: Json = single.SdkAppId === undefined ? {} : { SdkAppId: single.SdkAppId };
  const out = list.map((item, index) => {
    if (taskIds.found) return pickTaskParams([shared, { TaskId: item }]);
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw batchError(`Tasks[${index}] must be an object {SdkAppId, TaskId}`);
    // A task's own SdkAppId wins over the batch's.
    return pickTaskParams([shared, item as Json]);
  });
  return { [BATCH]: true, tasks: out };
}

export interface BatchDeps extends Pick<QueryDeps, "api" | "config" | "now" | "sleep" | "random"> {
  allowed: ReadonlySet<number> | undefined;
  /** The container's budget, cache and single-flight (lib/fleet/fleet.ts): batches share them with everything else. */
  fleet: Fleet;
  concurrency?: number;
}

/** Runs a batch: validation and allow-list per task, then paced, bounded-concurrency queries within the deadline. */
export async function runBatch(
  deps: BatchDeps,
  batch: BatchQuery,
  invocation: { requestId: string; deadline: number },
): Promise<{ result: BatchResult; stats: QueryStats }> {
  const results: TaskResult[] = new Array(batch.tasks.length);
  // Identical tasks are asked once; every slot that names one gets its answer.
  const jobs = new Map<string, { params: TaskParams; slots: number[] }>();
  batch.tasks.forEach((raw, index) => {
    if (!validateTaskParams(raw)) {
      results[index] = failureResult(parameterError(validateTaskParams.errors), raw);
      return;
    }
    const params = raw as TaskParams;
    if (!isAllowed(deps.allowed, params.SdkAppId)) {
      results[index] = failureResult(forbidden(params.SdkAppId), raw);
      return;
    }
    const key = `${params.SdkAppId}/${params.TaskId}`;
    const job = jobs.get(key) ?? { params: { SdkAppId: params.SdkAppId, TaskId: params.TaskId }, slots: [] };
    job.slots.push(index);
    jobs.set(key, job);
  });

  const queue = [...jobs.values()];
  const stats: QueryStats = { attempts: 0, upstreamMs: 0 };
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { result, stats: one } = await deps.fleet.query(deps, job.params, invocation);
      addStats(stats, one);
      for (const slot of job.slots) results[slot] = { ...result };
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? BATCH_CONCURRENCY, queue.length) }, worker));

  const answered = results.filter((r) => r.ok).length;
  const summary: BatchSummary = {
    tasks: results.length,
    answered,
    running: results.filter((r) => r.ok && r.running).length,
    failed: results.length - answered,
  };
  return { result: { ok: answered === results.length, results, summary }, stats };
}

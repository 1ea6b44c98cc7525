/**
 * Batch queries: `{"SdkAppId": n, "TaskIds": [...]}` or `{"Tasks": [{"SdkAppId": n, "TaskId": "a"}, ...]}` answer
 * `{ ok, results, summary }` with one contract result per task, in input order. Each task arrives judged by the
 * input step (lib/input.ts): a bad or forbidden one already has its failure, which fills its slot, and nothing is
 * sent upstream for it. Each distinct task is asked once, a few at a time, through `query` — the container's fleet
 * front door (lib/fleet/fleet.ts): paced under TRTC's rate limit, retries included, with everything else the
 * container asks — told with its relay record where there is one (lib/answer.ts).
 */
import type { BatchTask } from "./input";
import { taskKeyOf, type TaskParams } from "./params";
import { addStats, emptyStats, type QueryStats, type TaskResult } from "./query-task";

/** Upstream calls in flight at once: keeps the pace up to ~400 ms upstream latency, and bounds sockets and memory. */
export const BATCH_CONCURRENCY = 8;

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

export interface BatchDeps {
  /** One task's answer (within the invocation's deadline): batches share the fleet with everything else. */
  query: (params: TaskParams) => Promise<{ result: TaskResult; stats: QueryStats }>;
  concurrency?: number;
}

/** Runs a batch of judged tasks: paced, bounded-concurrency queries within the deadline. */
export async function runBatch(
  deps: BatchDeps,
  tasks: readonly BatchTask[],
): Promise<{ result: BatchResult; stats: QueryStats }> {
  const results: TaskResult[] = new Array(tasks.length);
  // Identical tasks are asked once; every slot that names one gets its answer.
  const jobs = new Map<string, { params: TaskParams; slots: number[] }>();
  tasks.forEach((task, index) => {
    if (!task.ok) {
      results[index] = task.failure;
      return;
    }
    const { params } = task;
    const key = taskKeyOf(params);
    const job = jobs.get(key) ?? { params: { SdkAppId: params.SdkAppId, TaskId: params.TaskId }, slots: [] };
    job.slots.push(index);
    jobs.set(key, job);
  });

  const queue = [...jobs.values()];
  const stats = emptyStats();
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { result, stats: one } = await deps.query(job.params);
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

/**
 * Batch queries: `{"SdkAppId": n, "TaskIds": [...]}` or `{"Tasks": [{"SdkAppId": n, "TaskId": "a"}, ...]}` answer
 * `{ ok, results, summary }` with one contract result per task, in input order. Each task arrives judged by the
 * input step (lib/input.ts): a bad or forbidden one already has its failure, which fills its slot, and nothing is
 * sent upstream for it. Upstream calls run a few at a time and are paced under TRTC's rate limit, retries included,
 * by one pacer per container.
 */
import type { BatchTask } from "./input";
import type { TaskParams } from "./params";
import { policyFor, queryTask, type QueryDeps, type QueryStats, type TaskResult } from "./query-task";
import { RatePacer } from "./rate-pacer";
import { TIMER_SLACK_MS } from "./retry";

/** Starts per rolling second: TRTC allows 20; 2 spare for clock jitter between us and the server. */
export const BATCH_REQUESTS_PER_SECOND = 18;
/** Upstream calls in flight at once: keeps the pace up to ~400 ms upstream latency, and bounds sockets and memory. */
export const BATCH_CONCURRENCY = 8;

/** One pacer per container, so back-to-back batches share the budget too. */
const containerPacer = new RatePacer(BATCH_REQUESTS_PER_SECOND);

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

export const isBatchResult = (value: unknown): value is BatchResult =>
  typeof value === "object" && value !== null && Array.isArray((value as BatchResult).results);

export interface BatchDeps extends Pick<QueryDeps, "api" | "config" | "now" | "sleep" | "random"> {
  pacer?: RatePacer;
  concurrency?: number;
}

/** Runs a batch of judged tasks: paced, bounded-concurrency queries within the deadline. */
export async function runBatch(
  deps: BatchDeps,
  tasks: readonly BatchTask[],
  invocation: { requestId: string; deadline: number },
): Promise<{ result: BatchResult; stats: QueryStats }> {
  const pacer = deps.pacer ?? containerPacer;
  const results: TaskResult[] = new Array(tasks.length);
  // Identical tasks are asked once; every slot that names one gets its answer.
  const jobs = new Map<string, { params: TaskParams; slots: number[] }>();
  tasks.forEach((task, index) => {
    if (!task.ok) {
      results[index] = task.failure;
      return;
    }
    const { params } = task;
    const key = `${params.SdkAppId}/${params.TaskId}`;
    const job = jobs.get(key) ?? { params: { SdkAppId: params.SdkAppId, TaskId: params.TaskId }, slots: [] };
    job.slots.push(index);
    jobs.set(key, job);
  });

  // The last moment an attempt may start and still finish: what withRetries itself allows, with timer slack.
  const latestStart = invocation.deadline - policyFor(deps.config).minAttemptMs - TIMER_SLACK_MS;
  const queue = [...jobs.values()];
  const stats: QueryStats = { attempts: 0, upstreamMs: 0 };
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { result, stats: one } = await queryTask({ ...deps, beforeAttempt: () => pacer.acquire(latestStart) }, job.params, invocation);
      stats.attempts += one.attempts;
      stats.upstreamMs += one.upstreamMs;
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

/**
 * Wait until: a direct invocation with `waitFor` polls one task until it reaches that status or the wait is up,
 * never past the invocation's deadline, and answers the last result with `wait: { for, satisfied, polls, waitedMs }`.
 * A workflow can then use one Task state instead of a Wait/Choice loop when the expected wait is short.
 */
import { validateWaitOptions } from "./generated/validators";
import { WAIT_DEFAULTS, waitOptionsError, type WaitOptions, type WaitStatus } from "./params";
import { addStats, type QueryStats, type TaskResult } from "./query-task";

export interface WaitInfo {
  for: WaitStatus;
  /** Whether the last poll answered the status waited for. */
  satisfied: boolean;
  polls: number;
  waitedMs: number;
}

export type WaitedResult = TaskResult & { wait: WaitInfo };

/** A poll is not started with less time than this before the deadline: it would only end in UpstreamTimeout. */
export const MIN_POLL_BUDGET_MS = 1000;

type Json = Record<string, unknown>;

/** The wait options of a direct invocation's event, checked; undefined when it has no `waitFor`. */
export function readWaitOptions(event: unknown): WaitOptions | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const source = event as Json;
  if (!Object.hasOwn(source, "waitFor") || source.waitFor === null || source.waitFor === undefined) return undefined;
  const options: Json = {};
  for (const name of ["waitFor", "waitTimeoutSeconds", "pollIntervalSeconds"]) {
    if (Object.hasOwn(source, name) && source[name] !== null && source[name] !== undefined) options[name] = source[name];
  }
  if (!validateWaitOptions(options)) throw waitOptionsError(validateWaitOptions.errors);
  return options as unknown as WaitOptions;
}

export interface WaitClock {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls until satisfied, until a failure that cannot pass (not retryable), or until the next poll would start after
 * the wait's end or too close to the deadline. Polls are due every pollIntervalSeconds from the start.
 */
export async function waitForStatus(
  poll: () => Promise<{ result: TaskResult; stats: QueryStats }>,
  options: WaitOptions,
  deadline: number,
  clock: WaitClock = {},
): Promise<{ result: WaitedResult; stats: QueryStats }> {
  const now = clock.now ?? Date.now;
  const sleep = clock.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = (options.pollIntervalSeconds ?? WAIT_DEFAULTS.pollIntervalSeconds) * 1000;
  const started = now();
  const end = Math.min(started + (options.waitTimeoutSeconds ?? WAIT_DEFAULTS.timeoutSeconds) * 1000, deadline - MIN_POLL_BUDGET_MS);
  const stats: QueryStats = { attempts: 0, upstreamMs: 0 };
  let polls = 0;
  for (;;) {
    polls++;
    const { result, stats: one } = await poll();
    addStats(stats, one);
    const satisfied = result.ok && result.status === options.waitFor;
    // A fixed schedule from the start: late timers must not push polls (and the last one) later and later.
    const next = started + polls * intervalMs;
    const stop = satisfied || (!result.ok && !result.error.retryable) || next > end;
    if (stop) return { result: { ...result, wait: { for: options.waitFor, satisfied, polls, waitedMs: now() - started } }, stats };
    await sleep(Math.max(0, next - now()));
  }
}

/**
 * Wait until: a direct invocation with `waitFor` polls one task until it reaches that status or the wait is up,
 * never past the invocation's deadline, and answers the last result with `wait: { for, satisfied, polls, waitedMs }`.
 * A workflow can then use one Task state instead of a Wait/Choice loop when the expected wait is short. The options
 * are read and checked by the input step (lib/input.ts).
 */
import type { Deadline } from "./deadline";
import { WAIT_DEFAULTS, type WaitOptions, type WaitStatus } from "./params";
import { addStats, emptyStats, type QueryStats, type TaskResult } from "./query-task";

export interface WaitInfo {
  for: WaitStatus;
  /** Whether the last poll answered the status waited for. */
  satisfied: boolean;
  polls: number;
  waitedMs: number;
}

export type WaitedResult = TaskResult & { wait: WaitInfo };

/**
 * How far a wait's schedule may be brought forward (see waitForStatus): up to half an interval, and no more than
 * 5 s — enough to spread a hundred waits' polls at 18 requests per second, without spending early polls of waits
 * whose long interval a relay's callbacks made safe.
 */
export const SCHEDULE_SPREAD = 0.5;
export const MAX_PHASE_MS = 5000;

export interface WaitHooks {
  /** Listens for the awaited change between polls (a relay's recorded stop). */
  listen?: Listen;
  /** The schedule's random phase (tests inject one). */
  random?: () => number;
}

/**
 * Resolves true as soon as the awaited change is heard of (a relay's recorded stop, for a wait for NotExist), false
 * at `until` (epoch ms) without it.
 */
export type Listen = (until: number) => Promise<boolean>;

/**
 * Polls until satisfied, until a failure that cannot pass (not retryable), or until the next poll would start after
 * the wait's end or too close to the deadline (the deadline's `lastPollOffset`). Polls are due every
 * pollIntervalSeconds from the first, their schedule brought forward by a random phase (up to half an interval, at
 * most 5 s). With `listen`, the time between polls — and after the last one, until the
 * wait's end — is spent listening: a change heard of is polled for at once (the confirming request), whatever the
 * interval. Heard once: should that poll not be satisfied (TRTC still says otherwise), polls keep their schedule.
 */
export async function waitForStatus(
  poll: () => Promise<{ result: TaskResult; stats: QueryStats }>,
  options: WaitOptions,
  deadline: Deadline,
  { listen, random = Math.random }: WaitHooks = {},
): Promise<{ result: WaitedResult; stats: QueryStats }> {
  const intervalMs = (options.pollIntervalSeconds ?? WAIT_DEFAULTS.pollIntervalSeconds) * 1000;
  // Waits started together (a workflow's Map state, many callers at a live event's end) would poll in lock-step and
  // take the rate budget in bursts, queueing a relay's confirming request behind them: each wait's schedule is
  // brought forward by a random phase, the same for all its polls.
  const phaseMs = Math.floor(random() * Math.min(intervalMs * SCHEDULE_SPREAD, MAX_PHASE_MS));
  const started = deadline.now();
  // Offsets from the start, not epoch times: at epoch magnitudes an interval a hair over the timeout (1.0000000000000024 s
  // against 1 s) rounds to equal and would start one poll too many.
  const endOffset = Math.min((options.waitTimeoutSeconds ?? WAIT_DEFAULTS.timeoutSeconds) * 1000, deadline.lastPollOffset(started));
  const stats = emptyStats();
  let polls = 0;
  /** Polls of the schedule made so far: a poll for a change heard of comes between two of them. */
  let scheduled = 0;
  let listening = listen;
  let heard = false;
  for (;;) {
    polls++;
    if (!heard) scheduled++;
    const { result, stats: one } = await poll();
    addStats(stats, one);
    const satisfied = result.ok && result.status === options.waitFor;
    // A fixed schedule from the start: late timers must not push polls (and the last one) later and later.
    const nextOffset = scheduled * intervalMs - phaseMs;
    const done = () => ({ result: { ...result, wait: { for: options.waitFor, satisfied, polls, waitedMs: deadline.now() - started } }, stats });
    if (satisfied || (!result.ok && !result.error.retryable)) return done();
    const last = nextOffset > endOffset;
    const until = started + (last ? endOffset : nextOffset);
    heard = listening !== undefined && (await listening(until));
    if (heard) listening = undefined;
    else if (last) return done();
    else await deadline.sleep(Math.max(0, until - deadline.now()));
  }
}

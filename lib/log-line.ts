/**
 * The one structured log line per invocation, from its outcome: what was asked, what came of it, what it cost
 * (attempts, upstream latency, cache, pacer wait, Redis), and on AWS the EMF metrics (lib/fleet/emf.ts). Pure: the
 * edge writes it with the logger.
 *
 * The fields are one object extended by plain stores, not a literal that starts with a spread and adds properties
 * after it: on Node 20, objects built that way outlived young-generation collections and were promoted (~4 KB per
 * invocation), which held old space and RSS ~5 MB higher in a warm container. bench/memory.ts shows it.
 */
import type { LogLevel } from "./config";
import { describeErrorCode } from "./errors";
import { fleetFields } from "./fleet/emf";
import type { LogFields } from "./logger";
import type { CallbackOutcome, Outcome } from "./outcome";
import type { Invocation } from "./platform";
import type { QueryStats, TaskResult } from "./query-task";

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A line's level: the HTTP status class of the worst of `codes` (none: info). */
function levelFor(codes: readonly string[]): LogLevel {
  const status = Math.max(200, ...codes.map((code) => describeErrorCode(code).status));
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

function countCodes(results: readonly TaskResult[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const result of results) if (!result.ok) codes[result.error.code] = (codes[result.error.code] ?? 0) + 1;
  return codes;
}

function copy(target: LogFields, source: object): void {
  for (const [name, value] of Object.entries(source)) target[name] = value;
}

/** A task's fields; returns the failure code, if any. */
function taskFields(fields: LogFields, result: TaskResult): string | undefined {
  const code = result.ok ? undefined : result.error.code;
  fields.sdkAppId = result.sdkAppId;
  fields.taskId = result.taskId;
  fields.outcome = result.ok ? result.status : code;
  fields.ok = result.ok;
  fields.retryable = result.ok ? undefined : result.error.retryable;
  return code;
}

function callbackFields(fields: LogFields, callback: CallbackOutcome): string | undefined {
  fields.sdkAppId = callback.sdkAppId ?? null;
  fields.taskId = callback.taskId ?? null;
  fields.outcome = callback.ok ? `Callback.${callback.recorded}` : callback.error.code;
  fields.ok = callback.ok;
  if (callback.ok && callback.eventType !== undefined) copy(fields, { eventType: callback.eventType, eventStatus: callback.status });
  return callback.ok ? undefined : callback.error.code;
}

function costFields(fields: LogFields, stats: QueryStats | undefined, invocation: Invocation, batch: boolean): void {
  fields.attempts = stats?.attempts ?? 0;
  fields.upstreamLatencyMs = stats?.upstreamMs ?? 0;
  copy(fields, fleetFields(stats, invocation.platform, batch, invocation.startedAt));
}

/** The line for `outcome`; `eventKind` as recognised (undefined: none of the contract's kinds). */
export function logLineOf(outcome: Outcome, invocation: Invocation, eventKind: string | undefined, now: number): LogLine {
  const fields: LogFields = { requestId: invocation.requestId, platform: invocation.platform, eventKind: eventKind ?? "unrecognised" };
  let codes: string[] = [];
  let message = "DescribeStreamIngest";
  if (outcome.kind === "batch") {
    // A batch has no single outcome: its line counts the tasks and their failure codes.
    const counted = countCodes(outcome.result.results);
    codes = Object.keys(counted);
    fields.outcome = "Batch";
    fields.ok = outcome.result.summary.failed === 0;
    copy(fields, outcome.result.summary);
    fields.codes = counted;
    costFields(fields, outcome.stats, invocation, true);
  } else if (outcome.kind === "task") {
    const code = taskFields(fields, outcome.result);
    if (code) codes = [code];
    costFields(fields, outcome.stats, invocation, false);
    fields.upstreamRequestId = outcome.result.requestId ?? null;
  } else if (outcome.kind === "callback") {
    message = "StreamIngestCallback";
    const code = callbackFields(fields, outcome.callback);
    if (code) codes = [code];
  } else {
    fields.outcome = "Preflight";
    fields.ok = true;
  }
  fields.durationMs = now - invocation.startedAt;
  return { level: levelFor(codes), message, fields };
}

/**
 * Writes the one structured log line per invocation, from the outcome the handler (or classifyErrors) produced:
 * the contract result and what it cost. Inside this middleware the response is that outcome; outside it, the plain
 * contract result (which httpResponse may then wrap for a gateway), so the line never depends on the HTTP shape.
 */
import { isBatchResult } from "../batch";
import type { LogLevel } from "../config";
import type { Outcome } from "../describe-stream-ingest";
import { describeErrorCode } from "../errors";
import { fleetFields } from "../fleet/emf";
import type { LogFields, Logger } from "../logger";
import type { TaskResult } from "../query-task";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface InvocationLogOptions {
  logger: Logger;
  now?: () => number;
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

export function invocationLog({ logger, now = Date.now }: InvocationLogOptions): FunctionMiddleware {
  // An after hook outside this one that throws sends the request through onError too: one line, not two.
  const logged = new WeakSet<object>();

  // The fields are one object extended by plain stores, not a literal that starts with a spread and adds properties
  // after it: on Node 20, objects built that way outlived young-generation collections and were promoted (~4 KB per
  // invocation), which held old space and RSS ~5 MB higher in a warm container. bench/memory.ts shows it.
  const write = (request: FunctionRequest, outcome: Outcome | undefined) => {
    const invocation = request.context.invocation;
    const stats = outcome?.stats;
    const result = outcome?.result;
    const batch = isBatchResult(result);
    const fields: LogFields = { requestId: invocation.requestId, platform: invocation.platform, eventKind: invocation.kind ?? "unrecognised" };
    let codes: readonly string[];
    if (batch) {
      // A batch has no single outcome: its line counts the tasks and their failure codes.
      const counted = countCodes(result.results);
      codes = Object.keys(counted);
      fields.outcome = "Batch";
      fields.ok = result.summary.failed === 0;
      copy(fields, result.summary);
      fields.codes = counted;
    } else {
      const code = result && !result.ok ? result.error.code : result ? undefined : "InternalError.Function";
      codes = code ? [code] : [];
      fields.sdkAppId = result?.sdkAppId ?? null;
      fields.taskId = result?.taskId ?? null;
      fields.outcome = result?.ok ? result.status : code;
      fields.ok = result?.ok ?? false;
      fields.retryable = result && !result.ok ? result.error.retryable : undefined;
    }
    fields.attempts = stats?.attempts ?? 0;
    fields.upstreamLatencyMs = stats?.upstreamMs ?? 0;
    copy(fields, fleetFields(stats, invocation.platform, batch, invocation.startedAt));
    if (!batch) fields.upstreamRequestId = (result as TaskResult | undefined)?.requestId ?? null;
    fields.durationMs = now() - invocation.startedAt;
    logger.log(levelFor(codes), "DescribeStreamIngest", fields);
  };

  const report = (request: FunctionRequest) => {
    const outcome = request.response as Outcome | undefined;
    if (request.context?.invocation && !logged.has(request)) {
      logged.add(request);
      write(request, outcome);
    }
    if (outcome !== undefined) request.response = outcome.result;
  };
  return { after: report, onError: report };
}

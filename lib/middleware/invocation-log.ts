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
import type { Logger } from "../logger";
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

export function invocationLog({ logger, now = Date.now }: InvocationLogOptions): FunctionMiddleware {
  // An after hook outside this one that throws sends the request through onError too: one line, not two.
  const logged = new WeakSet<object>();

  const write = (request: FunctionRequest, outcome: Outcome | undefined) => {
    const invocation = request.context.invocation;
    const ids = { requestId: invocation.requestId, platform: invocation.platform, eventKind: invocation.kind ?? "unrecognised" };
    const cost = { attempts: outcome?.stats.attempts ?? 0, upstreamLatencyMs: outcome?.stats.upstreamMs ?? 0 };
    const result = outcome?.result;
    if (isBatchResult(result)) {
      // A batch has no single outcome: its line counts the tasks and their failure codes.
      const codes = countCodes(result.results);
      logger.log(levelFor(Object.keys(codes)), "DescribeStreamIngest", {
        ...ids,
        outcome: "Batch",
        ok: result.summary.failed === 0,
        ...result.summary,
        codes,
        ...cost,
        ...fleetFields(outcome?.stats, invocation.platform, true, invocation.startedAt),
        durationMs: now() - invocation.startedAt,
      });
      return;
    }
    const code = result && !result.ok ? result.error.code : result ? undefined : "InternalError.Function";
    logger.log(levelFor(code ? [code] : []), "DescribeStreamIngest", {
      ...ids,
      sdkAppId: result?.sdkAppId ?? null,
      taskId: result?.taskId ?? null,
      outcome: result?.ok ? result.status : code,
      ok: result?.ok ?? false,
      retryable: result && !result.ok ? result.error.retryable : undefined,
      ...cost,
      ...fleetFields(outcome?.stats, invocation.platform, false, invocation.startedAt),
      upstreamRequestId: result?.requestId ?? null,
      durationMs: now() - invocation.startedAt,
    });
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

/**
 * Outermost middleware: derives the invocation (platform, request id, deadline, event kind) from the platform's
 * context and event, and writes the one structured log line per invocation when it ends.
 */
import { recogniseEvent } from "../events";
import { describeErrorCode } from "../errors";
import { fleetFields } from "../fleet/emf";
import type { LogLevel } from "../config";
import type { Logger } from "../logger";
import { invocationFromContext } from "../platform";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface InvocationContextOptions {
  logger: Logger;
  now?: () => number;
}

/** A line's level: the HTTP status class of the worst of `codes` (none: info). */
function levelFor(codes: readonly string[]): LogLevel {
  const status = Math.max(200, ...codes.map((code) => describeErrorCode(code).status));
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

export function invocationContext({ logger, now = Date.now }: InvocationContextOptions): FunctionMiddleware {
  const before = (request: FunctionRequest) => {
    // SCF and local callers may pass no context at all.
    if (typeof request.context !== "object" || request.context === null) request.context = {} as FunctionRequest["context"];
    request.context.invocation = {
      ...invocationFromContext(request.context, now()),
      kind: recogniseEvent(request.event),
      rawEvent: request.event,
    };
  };

  /** One line per invocation. */
  const logOutcome = (request: FunctionRequest) => {
    const invocation = request.context?.invocation;
    if (!invocation) return;
    const { result, stats, batch } = invocation;
    const ids = { requestId: invocation.requestId, platform: invocation.platform, eventKind: invocation.kind ?? "unrecognised" };
    const cost = { attempts: stats?.attempts ?? 0, upstreamLatencyMs: stats?.upstreamMs ?? 0 };
    if (batch) {
      // A batch has no single outcome: its line counts the tasks and their failure codes.
      const codes = invocation.batchCodes ?? {};
      logger.log(levelFor(Object.keys(codes)), "DescribeStreamIngest", {
        ...ids,
        outcome: "Batch",
        ok: batch.failed === 0,
        ...batch,
        codes,
        ...cost,
        ...fleetFields(stats, invocation.platform, true, invocation.startedAt),
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
      ...fleetFields(stats, invocation.platform, false, invocation.startedAt),
      upstreamRequestId: result?.requestId ?? null,
      durationMs: now() - invocation.startedAt,
    });
  };

  return { before, after: logOutcome, onError: logOutcome };
}

/**
 * Outermost middleware: derives the invocation (platform, request id, deadline, event kind) from the platform's
 * context and event, and writes the one structured log line per invocation when it ends.
 */
import { recogniseEvent } from "../events";
import { describeErrorCode } from "../errors";
import type { Logger } from "../logger";
import { invocationFromContext } from "../platform";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface InvocationContextOptions {
  logger: Logger;
  now?: () => number;
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

  const logOutcome = (request: FunctionRequest) => {
    const invocation = request.context?.invocation;
    if (!invocation) return;
    const { result, stats } = invocation;
    if (invocation.batch) return logBatch(request);
    const code = result && !result.ok ? result.error.code : result ? undefined : "InternalError.Function";
    const status = code ? describeErrorCode(code).status : 200;
    const level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
    logger.log(level, "DescribeStreamIngest", {
      requestId: invocation.requestId,
      platform: invocation.platform,
      eventKind: invocation.kind ?? "unrecognised",
      sdkAppId: result?.sdkAppId ?? null,
      taskId: result?.taskId ?? null,
      outcome: result?.ok ? result.status : code,
      ok: result?.ok ?? false,
      retryable: result && !result.ok ? result.error.retryable : undefined,
      attempts: stats?.attempts ?? 0,
      upstreamLatencyMs: stats?.upstreamMs ?? 0,
      upstreamRequestId: result?.requestId ?? null,
      durationMs: now() - invocation.startedAt,
    });
  };

  // A batch has no single outcome: its line counts the tasks and their failure codes.
  const logBatch = (request: FunctionRequest) => {
    const invocation = request.context.invocation;
    const codes = invocation.batchCodes ?? {};
    const worst = Math.max(200, ...Object.keys(codes).map((code) => describeErrorCode(code).status));
    logger.log(worst >= 500 ? "error" : worst >= 400 ? "warn" : "info", "DescribeStreamIngest", {
      requestId: invocation.requestId,
      platform: invocation.platform,
      eventKind: invocation.kind ?? "unrecognised",
      outcome: "Batch",
      ok: invocation.batch!.failed === 0,
      ...invocation.batch,
      codes,
      attempts: invocation.stats?.attempts ?? 0,
      upstreamLatencyMs: invocation.stats?.upstreamMs ?? 0,
      durationMs: now() - invocation.startedAt,
    });
  };

  return { before, after: logOutcome, onError: logOutcome };
}

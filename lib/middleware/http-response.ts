/**
 * For API Gateway events, wraps the contract result in the HTTP response each gateway expects, with the status
 * code from the error table. Direct invocations get the plain result. Restores the original event so the CORS and
 * security-header middlewares outside it see the HTTP request.
 */
import { isBatchResult, type BatchResult } from "../batch";
import { describeErrorCode } from "../errors";
import { isHttpKind } from "../events";
import type { TaskResult } from "../query-task";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** A batch that ran is 200 whatever its tasks answered: each result says its own outcome. */
export function statusCodeOf(result: TaskResult | BatchResult): number {
  return result.ok || isBatchResult(result) ? 200 : describeErrorCode(result.error.code).status;
}

export function toHttpResponse(result: TaskResult | BatchResult): HttpResponse {
  const statusCode = statusCodeOf(result);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    // A task's status changes; an intermediary must never serve an old one.
    "cache-control": "no-store",
  };
  if (statusCode === 429) headers["retry-after"] = "1";
  return { statusCode, headers, body: JSON.stringify(result), isBase64Encoded: false };
}

export function httpResponse(): FunctionMiddleware {
  const format = (request: FunctionRequest) => {
    const invocation = request.context.invocation;
    if (!invocation?.kind || !isHttpKind(invocation.kind) || request.response === undefined) return;
    request.event = invocation.rawEvent;
    request.response = toHttpResponse(request.response as TaskResult);
  };
  return { after: format, onError: format };
}

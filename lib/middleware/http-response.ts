/**
 * For HTTP events, wraps the contract result in the HTTP response each gateway expects, with the status code from
 * the error table. Direct invocations get the plain result. Restores the original event so the header middlewares
 * outside it (http-headers.ts) see the HTTP request; they finish the response with {@link finishHttpResponse}.
 */
import { STATUS_CODES } from "node:http";
import { isBatchResult, type BatchResult } from "../batch";
import { describeErrorCode } from "../errors";
import { isAlbEvent, isHttpKind, isObject, objectOrEmpty } from "../events";
import type { TaskResult } from "../query-task";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** What an ALB in multi-value mode takes instead: headers only from multiValueHeaders, and a status line. */
interface AlbMultiValueResponse {
  statusCode: number;
  statusDescription: string;
  multiValueHeaders: Record<string, string[]>;
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

/** An ALB target event whose target group has lambda.multi_value_headers.enabled: it sends only multi-value maps. */
function isAlbMultiValue(event: unknown): boolean {
  return isAlbEvent(event) && (isObject(event.multiValueHeaders) || isObject(event.multiValueQueryStringParameters));
}

/**
 * The last step of every HTTP answer: header names in one case (lower, as HTTP/2 and payload 2.0 write them), no
 * header without a value (middy's security headers leave `Server`/`X-Powered-By` undefined, `Reporting-Endpoints`
 * empty), and the shape the gateway reads: an ALB in multi-value mode takes headers from multiValueHeaders only,
 * and an ALB wants a status description.
 */
export function finishHttpResponse(event: unknown, response: unknown): unknown {
  if (!isObject(response) || typeof response.statusCode !== "number") return response;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(objectOrEmpty(response.headers))) {
    const text = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
    if (typeof text === "string" && text !== "") headers[name.toLowerCase()] = text;
  }
  const statusCode = response.statusCode;
  const body = typeof response.body === "string" ? response.body : "";
  if (!isAlbEvent(event)) return { ...response, headers, body };
  const statusDescription = `${statusCode} ${STATUS_CODES[statusCode] ?? "Unknown"}`;
  if (!isAlbMultiValue(event)) return { ...response, statusDescription, headers, body };
  const { headers: _dropped, ...rest } = response;
  return {
    ...rest,
    statusDescription,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body,
  } satisfies Partial<AlbMultiValueResponse>;
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

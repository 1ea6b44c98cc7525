/**
 * The HTTP answer every gateway reads: a status, the headers this function always sends (written here by hand —
 * seven fixed security headers and, with CORS on, four CORS headers; @middy/http-security-headers and
 * @middy/http-cors needed an adapter around their hooks to read our events and to keep one header case), and the
 * shape the gateway wants (an ALB wants a status description, and in multi-value mode headers only in
 * `multiValueHeaders`). Pure.
 */
import { STATUS_CODES } from "node:http";
import { headersOf, isAlbEvent, isObject } from "./events";

/** Sent on every HTTP answer (docs/events.md "Headers"): the defaults helmet and middy use for an API. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains; preload",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
};

/** What a browser's preflight for a JSON POST asks for; GET needs no preflight. */
const CORS_FIXED: Readonly<Record<string, string>> = {
  "access-control-allow-headers": "content-type",
  "access-control-allow-methods": "GET,POST",
  "access-control-max-age": "600",
};

/** How the gateway that sent the event reads an answer. */
export type HttpShape = "plain" | "alb" | "alb-multi-value";

export interface HttpReply {
  shape: HttpShape;
  /** Headers that depend on the request (CORS), lower-case; none when CORS is off. */
  headers: Readonly<Record<string, string>>;
}

/** An ALB target event whose target group has lambda.multi_value_headers.enabled: it sends only multi-value maps. */
function shapeOf(event: unknown): HttpShape {
  if (!isAlbEvent(event)) return "plain";
  return isObject(event.multiValueHeaders) || isObject(event.multiValueQueryStringParameters) ? "alb-multi-value" : "alb";
}

/**
 * The CORS headers for this request: the fixed ones, and `access-control-allow-origin` when its Origin (any case,
 * either header map) is listed — or `*` when `*` is listed — with `vary: Origin` whenever the answer depends on it.
 */
export function corsHeaders(origins: readonly string[] | undefined, origin: string | undefined): Record<string, string> {
  if (!origins?.length) return {};
  const headers: Record<string, string> = { ...CORS_FIXED };
  const any = origins.includes("*");
  const allowed = origin !== undefined && origins.includes(origin) ? origin : any ? "*" : undefined;
  if (allowed) headers["access-control-allow-origin"] = allowed;
  if (origins.length > 1 || (any && allowed !== "*")) headers.vary = "Origin";
  return headers;
}

/** How to answer the HTTP event `event`. */
export function httpReplyFor(event: unknown, corsOrigins: readonly string[] | undefined): HttpReply {
  return { shape: shapeOf(event), headers: corsHeaders(corsOrigins, headersOf(event).origin) };
}

/** The response object for the gateway: `body` is JSON text, or undefined for an empty answer (a preflight). */
export function httpResponse(statusCode: number, body: string | undefined, reply: HttpReply): Record<string, unknown> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...reply.headers };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    // A task's status changes; an intermediary must never serve an old one.
    headers["cache-control"] = "no-store";
  }
  if (statusCode === 429) headers["retry-after"] = "1";
  const common = { statusCode, body: body ?? "", isBase64Encoded: false };
  if (reply.shape === "plain") return { ...common, headers };
  const statusDescription = `${statusCode} ${STATUS_CODES[statusCode] ?? "Unknown"}`;
  if (reply.shape === "alb") return { ...common, statusDescription, headers };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  return { ...common, statusDescription, multiValueHeaders };
}

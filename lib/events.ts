/**
 * The platform edge for events: which of the contract's four event kinds arrived, and the raw parameters it carries.
 * Pure functions; no I/O. What the parameters mean is decided by input.ts and params.ts, not here.
 */
import { TrtcFunctionError } from "./errors";

export type EventKind =
  | "direct" // another function, Step Functions, ASW, an SDK Invoke
  | "aws-rest" // API Gateway REST API, payload 1.0 (also ALB-shaped events)
  | "aws-http" // API Gateway HTTP API, payload 2.0, and Lambda Function URLs
  | "tencent-apigw"; // Tencent API Gateway trigger

export type HttpEventKind = Exclude<EventKind, "direct">;

export const isHttpKind = (kind: EventKind): kind is HttpEventKind => kind !== "direct";

/** A request body bigger than this is refused with 413: a status request is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Recognises the event kind from its shape alone. Returns undefined for shapes that are none of the four. */
export function recogniseEvent(event: unknown): EventKind | undefined {
  if (!isObject(event)) return undefined;
  const requestContext = event.requestContext;
  if (isObject(requestContext)) {
    if (event.version === "2.0" && isObject(requestContext.http) && typeof requestContext.http.method === "string") {
      return "aws-http";
    }
    if (typeof requestContext.serviceId === "string" && typeof event.httpMethod === "string") return "tencent-apigw";
    if (typeof event.httpMethod === "string") return "aws-rest";
  }
  // ALB and hand-made proxy events have no requestContext we can rely on, but do have a method and headers.
  if (typeof event.httpMethod === "string" && ("headers" in event || "multiValueHeaders" in event)) return "aws-rest";
  return "direct";
}

/** The HTTP request an API Gateway event describes, reduced to what this function reads. */
export interface HttpRequest {
  method: string;
  query: Json;
  path: Json;
  body: string | undefined;
  isBase64Encoded: boolean;
}

const objectOrEmpty = (value: unknown): Json => (isObject(value) ? value : {});

/** Reads the HTTP request out of an API Gateway event of any of the three HTTP kinds. */
export function httpRequestOf(kind: HttpEventKind, event: Json): HttpRequest {
  const requestContext = objectOrEmpty(event.requestContext);
  const method =
    kind === "aws-http" ? String(objectOrEmpty(requestContext.http).method) : String(event.httpMethod ?? requestContext.httpMethod);
  // Tencent sends the query as `queryString` (and sometimes also `queryStringParameters`); AWS as `queryStringParameters`.
  const query = kind === "tencent-apigw" ? { ...objectOrEmpty(event.queryStringParameters), ...objectOrEmpty(event.queryString) } : objectOrEmpty(event.queryStringParameters);
  return {
    method: method.toUpperCase(),
    query,
    path: objectOrEmpty(event.pathParameters),
    body: typeof event.body === "string" && event.body.length > 0 ? event.body : undefined,
    isBase64Encoded: event.isBase64Encoded === true,
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes and parses an HTTP body into a JSON object. Refuses bodies over {@link MAX_BODY_BYTES} before decoding,
 * bytes that are not UTF-8, text that is not JSON, and JSON that is not an object.
 * JSON.parse cannot pollute prototypes by itself (`__proto__` becomes an own key); params.ts reads only own keys.
 */
export function parseJsonBody(body: string | undefined, isBase64Encoded: boolean): Json {
  if (body === undefined) return {};
  const tooLarge = () => new TrtcFunctionError("RequestSizeLimitExceeded", `The request body is larger than ${MAX_BODY_BYTES} bytes`);
  // Cheap bounds before allocating: base64 is 4 characters for 3 bytes (twice that allows for padding and line breaks).
  if (isBase64Encoded ? body.length > 2 * MAX_BODY_BYTES : Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES) throw tooLarge();
  let text = body;
  if (isBase64Encoded) {
    const compact = body.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) {
      throw new TrtcFunctionError("InvalidRequest.Body", "The request body is marked base64 but is not base64");
    }
    // The limit is on the decoded bytes: an estimate from the length refused bodies just under it.
    const bytes = Buffer.from(compact, "base64");
    if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new TrtcFunctionError("InvalidRequest.Body", "The request body is not UTF-8 text");
    }
  }
  // Only JSON's own white space makes an empty body; other text (U+00A0, say) is not JSON.
  if (/^[ \t\r\n]*$/.test(text)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TrtcFunctionError("InvalidRequest.Body", "The request body is not valid JSON");
  }
  if (!isObject(parsed)) {
    throw new TrtcFunctionError("InvalidRequest.Body", "The request body must be a JSON object");
  }
  return parsed;
}

/**
 * The platform edge for events: which of the contract's event kinds arrived, and the raw parameters it carries.
 * Pure functions; no I/O. What the parameters mean is decided by input.ts and params.ts, not here.
 */
import { TrtcFunctionError } from "./errors";

export type EventKind =
  | "direct" // another function, Step Functions, ASW, an SDK Invoke
  | "aws-rest" // API Gateway REST API, payload 1.0, and ALB target events (single- and multi-value mode)
  | "aws-http" // API Gateway HTTP API, payload 2.0, and Lambda Function URLs
  | "tencent-function-url" // Tencent SCF function URL (an event function's `http` trigger)
  | "tencent-apigw"; // Tencent API Gateway trigger (legacy: no new ones since 2024-07-01)

export type HttpEventKind = Exclude<EventKind, "direct">;

export const isHttpKind = (kind: EventKind): kind is HttpEventKind => kind !== "direct";

/** A request body bigger than this is refused with 413: a status request is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** An ALB target event (requestContext.elb): its query arrives still URL-encoded, and its answer needs a status line. */
export const isAlbEvent = (event: unknown): event is Json =>
  isObject(event) && isObject(event.requestContext) && isObject(event.requestContext.elb);

/** Header names are case-insensitive; REST, ALB and Tencent events keep the client's spelling. */
function hasHeader(headers: unknown, lowerName: string): boolean {
  return isObject(headers) && Object.keys(headers).some((name) => name.toLowerCase() === lowerName);
}

/**
 * Recognises the event kind from its shape alone. Returns undefined for shapes that are none of the kinds: what is
 * not a JSON object, and the events of non-HTTP triggers ({@link triggerOf}).
 */
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
  if (typeof event.httpMethod === "string") {
    // A function URL event is Tencent's API Gateway event without requestContext and the AWS-named members: its
    // query comes as `queryString`, and the URL adds the client's address as x-scf-remote-addr.
    if (Object.hasOwn(event, "queryString") || hasHeader(event.headers, "x-scf-remote-addr")) return "tencent-function-url";
    // ALB and hand-made proxy events have no requestContext we can rely on, but do have a method and headers.
    if (Object.hasOwn(event, "headers") || Object.hasOwn(event, "multiValueHeaders")) return "aws-rest";
  }
  return triggerOf(event) ? undefined : "direct";
}

/** The HTTP request an HTTP event describes, reduced to what this function reads. */
export interface HttpRequest {
  method: string;
  /** The URL's path as the gateway reports it ("" when it reports none). */
  urlPath: string;
  query: Json;
  path: Json;
  body: string | undefined;
  isBase64Encoded: boolean;
}

/**
 * A query value as the gateways deliver it, reduced to one value by the one rule for every kind: a key named more
 * than once counts with its last value (REST and ALB send the last, Tencent an array, multi-value maps all of them);
 * a key with no value (`?TaskId`, `?TaskId=`, which Tencent delivers as `true`) counts as absent.
 */
function queryValue(value: unknown): unknown {
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === true ? "" : last;
}

function lastValues(map: unknown): Json {
  const out: Json = {};
  if (!isObject(map)) return out;
  for (const [name, value] of Object.entries(map)) out[name] = queryValue(value);
  return out;
}

/** URL-decodes as a browser's URLSearchParams does (`+` is a space); text that is not valid escaping stays as is. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

/** An ALB passes the query as the client sent it, still URL-encoded (AWS: "the load balancer does not decode them"). */
function decodedQuery(query: Json): Json {
  const out: Json = {};
  for (const [name, value] of Object.entries(query)) out[formDecode(name)] = typeof value === "string" ? formDecode(value) : value;
  return out;
}

/**
 * Payload 2.0 joins a repeated key's values with commas in queryStringParameters, so a TaskId with a comma could not
 * be told apart: rawQueryString, when there is one, is the query as sent, parsed here the WHATWG way.
 */
function rawQuery(raw: string): Json {
  const out: Json = {};
  for (const [name, value] of new URLSearchParams(raw)) out[name] = value;
  return out;
}

function queryOf(kind: HttpEventKind, event: Json): Json {
  switch (kind) {
    case "aws-http":
      return typeof event.rawQueryString === "string" ? rawQuery(event.rawQueryString) : lastValues(event.queryStringParameters);
    case "aws-rest": {
      // REST sends both maps (the multi-value one has every value); an ALB in multi-value mode only the second.
      const query = { ...lastValues(event.queryStringParameters), ...lastValues(event.multiValueQueryStringParameters) };
      return isAlbEvent(event) ? decodedQuery(query) : query;
    }
    default:
      // Tencent sends the query as `queryString` (API Gateway sometimes also as `queryStringParameters`).
      return { ...lastValues(event.queryStringParameters), ...lastValues(event.queryString) };
  }
}

/** Header names lower-cased; `multiValueHeaders` (REST, ALB multi-value mode) read too, the last value of each. */
export function headersOf(event: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(event)) return out;
  for (const source of [event.multiValueHeaders, event.headers]) {
    if (!isObject(source)) continue;
    for (const [name, raw] of Object.entries(source)) {
      const value = Array.isArray(raw) ? raw.at(-1) : raw;
      if (typeof value === "string") out[name.toLowerCase()] = value;
    }
  }
  return out;
}

export const objectOrEmpty = (value: unknown): Json => (isObject(value) ? value : {});

/** The request's method, upper-cased, from where each HTTP kind keeps it (without reading the rest of the request). */
export function httpMethodOf(kind: HttpEventKind, event: Json): string {
  const requestContext = objectOrEmpty(event.requestContext);
  const method =
    kind === "aws-http" ? String(objectOrEmpty(requestContext.http).method) : String(event.httpMethod ?? requestContext.httpMethod);
  return method.toUpperCase();
}

/** The URL's path: payload 2.0 keeps it in rawPath, the other kinds in path. */
export function urlPathOf(kind: HttpEventKind, event: Json): string {
  const path = kind === "aws-http" ? event.rawPath : event.path;
  return typeof path === "string" ? path : "";
}

/** Reads the HTTP request out of an HTTP event of any of the HTTP kinds. */
export function httpRequestOf(kind: HttpEventKind, event: Json): HttpRequest {
  return {
    method: httpMethodOf(kind, event),
    urlPath: urlPathOf(kind, event),
    query: queryOf(kind, event),
    path: objectOrEmpty(event.pathParameters),
    body: typeof event.body === "string" && event.body.length > 0 ? event.body : undefined,
    isBase64Encoded: event.isBase64Encoded === true,
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body's bytes exactly as the client sent them: a gateway's base64 body decoded, a text body as its UTF-8 bytes
 * (what the gateway received), never JSON parsed and written again — a callback's signature is over these bytes.
 * Called after {@link parseJsonBody} accepted the body.
 */
export function rawBodyBytes(request: HttpRequest): Buffer {
  if (request.body === undefined) return Buffer.alloc(0);
  return request.isBase64Encoded ? Buffer.from(request.body.replace(/\s+/g, ""), "base64") : Buffer.from(request.body, "utf8");
}

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

/** Top-level names a status query may carry: an event with any of them is a direct invocation, whatever else it has. */
const QUERY_NAMES = ["SdkAppId", "sdkAppId", "TaskId", "taskId", "TaskIds", "taskIds", "Tasks", "tasks"];

const firstRecord = (event: Json): Json | undefined =>
  Array.isArray(event.Records) && isObject(event.Records[0]) ? event.Records[0] : undefined;

/**
 * The trigger a non-HTTP event comes from, by the documented shapes (AWS: S3, SQS, SNS, EventBridge and scheduled
 * events, CloudWatch Logs, DynamoDB and Kinesis streams; Tencent: timer, COS, CMQ, CKafka, CLS), or undefined. Such an event asks for no status:
 * it answers InvalidRequest.Event instead of a MissingParameter that would send its operator looking for a typo.
 */
export function triggerOf(event: unknown): string | undefined {
  if (!isObject(event) || QUERY_NAMES.some((name) => Object.hasOwn(event, name))) return undefined;
  const record = firstRecord(event);
  if (record) {
    if (record.eventSource === "aws:s3" || isObject(record.s3)) return "an Amazon S3 notification";
    if (record.eventSource === "aws:sqs") return "an Amazon SQS message batch";
    if (record.EventSource === "aws:sns" || isObject(record.Sns)) return "an Amazon SNS notification";
    if (isObject(record.cos)) return "a Tencent COS notification";
    if (isObject(record.CMQ)) return "a Tencent CMQ message";
    if (isObject(record.Ckafka)) return "a Tencent CKafka message batch";
    if (record.eventSource === "aws:dynamodb") return "an Amazon DynamoDB Streams batch";
    if (record.eventSource === "aws:kinesis") return "an Amazon Kinesis stream batch";
    return "a batch of trigger records";
  }
  if (typeof event["detail-type"] === "string" && typeof event.source === "string") {
    return event.source === "aws.events" && event["detail-type"] === "Scheduled Event" ? "an EventBridge scheduled event" : "an EventBridge event";
  }
  if (isObject(event.awslogs) && typeof event.awslogs.data === "string") return "a CloudWatch Logs subscription";
  // Tencent's log trigger is CloudWatch's shape under another name: {"clslogs": {"data": "<base64 gzip>"}}.
  if (isObject(event.clslogs) && typeof event.clslogs.data === "string") return "a Tencent CLS log trigger";
  if (event.Type === "Timer" && typeof event.TriggerName === "string") return "a Tencent SCF timer trigger";
  return undefined;
}


/**
 * The fuzz oracle: what the contract (/work/shared/CONTRACT.md) and the README's event and parameter rules say the
 * function must answer for any event. Written from those documents, not from lib/: it must not share the bugs it
 * is there to find.
 */

/** Contract: a body is at most 64 KB. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_SDK_APP_ID = 4294967295;

/** HTTP status per function code (README error table). */
export const STATUS_OF: Record<string, number> = {
  "MissingParameter.SdkAppId": 400,
  "MissingParameter.TaskId": 400,
  "InvalidParameter.SdkAppId": 400,
  "InvalidParameter.TaskId": 400,
  "InvalidRequest.Body": 400,
  "InvalidRequest.Event": 400,
  "InvalidRequest.Method": 405,
  RequestSizeLimitExceeded: 413,
  "Forbidden.SdkAppId": 403,
};

export type Kind = "direct" | "aws-rest" | "aws-http" | "tencent-apigw";

export interface Expectation {
  kind: Kind | undefined;
  /** An HTTP response (API Gateway kinds) rather than the plain object. */
  http: boolean;
  /** The failure code; undefined when the input is valid and allowed (an upstream call, an answered status). */
  code: string | undefined;
  /** HTTP status for HTTP kinds. */
  status: number;
  /** Echoed values: only valid ones come back. */
  sdkAppId: number | null;
  taskId: string | null;
  /** A direct invocation asking for typed throws (`throwOnError: true`) that fails. */
  throws: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (v: unknown): Json => (isObject(v) ? v : {});

/** README "Events it recognises": recognised from the shape alone, in this order. */
export function kindOf(event: unknown): Kind | undefined {
  if (!isObject(event)) return undefined;
  const rc = event.requestContext;
  if (isObject(rc) && event.version === "2.0" && isObject(rc.http) && typeof rc.http.method === "string") return "aws-http";
  if (isObject(rc) && typeof rc.serviceId === "string" && typeof event.httpMethod === "string") return "tencent-apigw";
  if (isObject(rc) && typeof event.httpMethod === "string") return "aws-rest";
  if (typeof event.httpMethod === "string" && (Object.hasOwn(event, "headers") || Object.hasOwn(event, "multiValueHeaders"))) return "aws-rest";
  return "direct";
}

/** Contract: a positive integer ≤ 4294967295, as a JSON number or a string of ASCII decimal digits (any length). */
export function sdkAppIdValue(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 1 && v <= MAX_SDK_APP_ID ? v : undefined;
  if (typeof v === "string" && /^[0-9]+$/.test(v)) {
    const n = BigInt(v);
    return n >= 1n && n <= BigInt(MAX_SDK_APP_ID) ? Number(n) : undefined;
  }
  return undefined;
}

/** Contract: 1 to 256 visible ASCII characters. */
export const isTaskId = (v: unknown): v is string => typeof v === "string" && v.length >= 1 && v.length <= 256 && /^[\x21-\x7e]+$/.test(v);

/** README: null and "" count as missing; PascalCase before camelCase; own keys only. */
function pick(source: Json, names: readonly string[]): unknown {
  for (const name of names) {
    if (!Object.hasOwn(source, name)) continue;
    const v = source[name];
    if (v !== undefined && v !== null && v !== "") return v;
  }
  return undefined;
}

class Refused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** README: base64 allowed, UTF-8 JSON object of at most 64 KB, an empty body is no body. */
function bodyObject(body: unknown, isBase64Encoded: unknown): Json {
  if (typeof body !== "string" || body === "") return {};
  let text: string;
  if (isBase64Encoded === true) {
    // Refused unread: no base64 form of an allowed body is this long (4 characters per 3 bytes, padding, line breaks).
    if (body.length > 2 * MAX_BODY_BYTES) throw new Refused("RequestSizeLimitExceeded");
    const compact = body.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) throw new Refused("InvalidRequest.Body");
    const bytes = Buffer.from(compact, "base64");
    if (bytes.length > MAX_BODY_BYTES) throw new Refused("RequestSizeLimitExceeded");
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new Refused("InvalidRequest.Body");
    }
  } else {
    if (Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES) throw new Refused("RequestSizeLimitExceeded");
    text = body;
  }
  if (/^[ \t\r\n]*$/.test(text)) return {}; // JSON's own white space only: no body
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Refused("InvalidRequest.Body");
  }
  if (!isObject(parsed)) throw new Refused("InvalidRequest.Body");
  return parsed;
}

function sourcesOf(kind: Kind, event: Json): Json[] {
  if (kind === "direct") return [event];
  const rc = own(event.requestContext);
  const method = String(kind === "aws-http" ? own(rc.http).method : event.httpMethod).toUpperCase();
  if (method !== "GET" && method !== "POST") throw new Refused("InvalidRequest.Method");
  const query = kind === "tencent-apigw" ? { ...own(event.queryStringParameters), ...own(event.queryString) } : own(event.queryStringParameters);
  return [own(event.pathParameters), query, bodyObject(event.body, event.isBase64Encoded)];
}

/** What the function must answer for `event`, with `allowed` as TRTC_ALLOWED_SDK_APP_IDS. */
export function expectFor(input: unknown, allowed: ReadonlySet<number> | undefined): Expectation {
  // No payload at all is an empty invocation (middy passes {}), not a malformed one.
  const event = input === undefined ? {} : input;
  const kind = kindOf(event);
  const http = kind !== undefined && kind !== "direct";
  const wantsThrow = kind === "direct" && (event as Json).throwOnError === true;
  const fail = (code: string, sdkAppId: number | null = null, taskId: string | null = null): Expectation => ({
    kind, http, code, status: STATUS_OF[code]!, sdkAppId, taskId, throws: wantsThrow,
  });
  if (kind === undefined) return fail("InvalidRequest.Event");

  let rawApp: unknown;
  let rawTask: unknown;
  try {
    for (const source of sourcesOf(kind, event as Json)) {
      const a = pick(source, ["SdkAppId", "sdkAppId"]);
      if (a !== undefined) rawApp = a;
      const t = pick(source, ["TaskId", "taskId"]);
      if (t !== undefined) rawTask = t;
    }
  } catch (error) {
    if (error instanceof Refused) return fail(error.code);
    throw error;
  }
  const app = sdkAppIdValue(rawApp);
  const task = isTaskId(rawTask) ? rawTask : undefined;
  const echo = [app ?? null, task ?? null] as const;
  // README: with several faults, the first of this order is reported.
  if (rawApp === undefined) return fail("MissingParameter.SdkAppId", ...echo);
  if (app === undefined) return fail("InvalidParameter.SdkAppId", ...echo);
  if (rawTask === undefined) return fail("MissingParameter.TaskId", ...echo);
  if (task === undefined) return fail("InvalidParameter.TaskId", ...echo);
  if (allowed && !allowed.has(app)) return fail("Forbidden.SdkAppId", ...echo);
  return { kind, http, code: undefined, status: 200, sdkAppId: app, taskId: task, throws: false };
}

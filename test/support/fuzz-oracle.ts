/**
 * The fuzz oracle: what the product contract and the README's event and parameter rules (with docs/workflows.md) say the
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

export type Kind = "direct" | "aws-rest" | "aws-http" | "tencent-function-url" | "tencent-apigw";

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

/**
 * Contract "Events the handler recognises": what a non-HTTP trigger sends (queues, storage, schedules, logs) — an
 * S3/SQS/SNS/COS/CMQ/CKafka `Records` batch, an EventBridge event (`source`, `detail-type`), a CloudWatch Logs
 * subscription (`awslogs.data`), a Tencent CLS log trigger (`clslogs.data`), an SCF timer (`Type: "Timer"`) — unless
 * it names a status query's parameter.
 */
function isTriggerEvent(event: Json): boolean {
  if (["SdkAppId", "sdkAppId", "TaskId", "taskId", "TaskIds", "taskIds", "Tasks", "tasks"].some((k) => Object.hasOwn(event, k))) return false;
  if (Array.isArray(event.Records) && isObject(event.Records[0])) return true;
  if (typeof event.source === "string" && typeof event["detail-type"] === "string") return true;
  if (isObject(event.awslogs) && typeof event.awslogs.data === "string") return true;
  if (isObject(event.clslogs) && typeof event.clslogs.data === "string") return true;
  return event.Type === "Timer" && typeof event.TriggerName === "string";
}

/** README "Events it recognises": recognised from the shape alone, in this order. */
export function kindOf(event: unknown): Kind | undefined {
  if (!isObject(event)) return undefined;
  const rc = event.requestContext;
  if (isObject(rc) && event.version === "2.0" && isObject(rc.http) && typeof rc.http.method === "string") return "aws-http";
  if (isObject(rc) && typeof rc.serviceId === "string" && typeof event.httpMethod === "string") return "tencent-apigw";
  if (isObject(rc) && typeof event.httpMethod === "string") return "aws-rest";
  if (typeof event.httpMethod === "string") {
    // Tencent function URL: no requestContext, the query as `queryString`, the client's address in x-scf-remote-addr.
    const scfHeader = isObject(event.headers) && Object.keys(event.headers).some((h) => h.toLowerCase() === "x-scf-remote-addr");
    if (Object.hasOwn(event, "queryString") || scfHeader) return "tencent-function-url";
    if (Object.hasOwn(event, "headers") || Object.hasOwn(event, "multiValueHeaders")) return "aws-rest";
  }
  return isTriggerEvent(event) ? undefined : "direct";
}

/** README "Query strings": a repeated key counts with its last value; a key without a value (Tencent: true) is absent. */
function oneValue(v: unknown): unknown {
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === true ? "" : last;
}
const lastOfEach = (map: unknown): Json => Object.fromEntries(Object.entries(own(map)).map(([k, v]) => [k, oneValue(v)]));
/** README: an ALB's query arrives URL-encoded (`+` a space, broken escapes kept). */
function albDecode(text: string): string {
  try {
    return decodeURIComponent(text.split("+").join(" "));
  } catch {
    return text;
  }
}

function queryOf(kind: Kind, event: Json): Json {
  if (kind === "aws-http") {
    // README: payload 2.0's query is read from rawQueryString (queryStringParameters comma-joins repeated keys).
    if (typeof event.rawQueryString === "string") return Object.fromEntries(new URLSearchParams(event.rawQueryString));
    return lastOfEach(event.queryStringParameters);
  }
  if (kind === "aws-rest") {
    const query = { ...lastOfEach(event.queryStringParameters), ...lastOfEach(event.multiValueQueryStringParameters) };
    if (!(isObject(event.requestContext) && isObject(event.requestContext.elb))) return query;
    return Object.fromEntries(Object.entries(query).map(([k, v]) => [albDecode(k), typeof v === "string" ? albDecode(v) : v]));
  }
  return { ...lastOfEach(event.queryStringParameters), ...lastOfEach(event.queryString) };
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
  return [own(event.pathParameters), queryOf(kind, event), bodyObject(event.body, event.isBase64Encoded)];
}

/** What the function must answer for `event`, with `allowed` as TRTC_ALLOWED_SDK_APP_IDS. */
export function expectFor(input: unknown, allowed: ReadonlySet<number> | undefined): Expectation {
  // No payload at all is an empty invocation (middy passes {}), not a malformed one.
  const event = input === undefined ? {} : input;
  const kind = kindOf(event);
  const http = kind !== undefined && kind !== "direct";
  // docs/workflows.md: throwOnError applies to whatever is not an HTTP request (a refused trigger event too).
  const wantsThrow = !http && isObject(event) && event.throwOnError === true;
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

// ---------------------------------------------------------------------------------------------------------------
// Batch queries and wait options (docs/workflows.md "Batch queries", "Wait until"; README "Workflows"). Written
// from those documents, not from lib/batch.ts or lib/wait.ts. Where the documents are silent, the choice is said.

/** docs/workflows.md: at most 100 tasks per batch. */
export const MAX_BATCH_TASKS = 100;
/** docs/workflows.md "Wait until": the statuses and ranges of the options. */
export const WAIT_FOR_VALUES = ["NotExist", "InProgress"] as const;
export const WAIT_TIMEOUT_RANGE = [1, 900] as const;
/** docs/events.md "Waiting over HTTP": a gateway ends a request after about 30 s, so a wait over HTTP lasts at most 25 s
 * (20 s unless asked), and its numbers may come as decimal text (a query string has no numbers). */
export const HTTP_WAIT_TIMEOUT_RANGE = [1, 25] as const;
export const HTTP_WAIT_DEFAULT_TIMEOUT_SECONDS = 20;
export const POLL_INTERVAL_RANGE = [1, 300] as const;
/** docs/workflows.md: the defaults when waitFor is set and an option is not. */
export const WAIT_DEFAULT_TIMEOUT_SECONDS = 60;
export const WAIT_DEFAULT_POLL_INTERVAL_SECONDS = 5;

Object.assign(STATUS_OF, {
  "InvalidRequest.Batch": 400,
  "InvalidRequest.BatchTooLarge": 400,
  "InvalidParameter.WaitFor": 400,
  "InvalidParameter.WaitTimeoutSeconds": 400,
  "InvalidParameter.PollIntervalSeconds": 400,
});

/** One slot of a batch that ran: a failure code (never sent upstream) or, with code undefined, an answered task. */
export interface SlotExpectation {
  code: string | undefined;
  sdkAppId: number | null;
  taskId: string | null;
}

export interface WaitExpectation {
  waitFor: (typeof WAIT_FOR_VALUES)[number];
  timeoutSeconds: number;
  pollIntervalSeconds: number;
}

export type WorkflowExpectation =
  /** Refused as a whole (an event, body, parameter, batch or wait-option fault): no upstream request. */
  | (Expectation & { outcome: "refused"; code: string })
  /** A batch that ran: per-slot expectations, and the distinct valid, allowed tasks that must reach TRTC. */
  | { outcome: "batch"; kind: Kind; http: boolean; slots: SlotExpectation[]; upstream: Array<{ sdkAppId: number; taskId: string }> }
  /** A valid, allowed single query; `wait` when a direct invocation asked for a (valid) wait. */
  | { outcome: "single"; kind: Kind; http: boolean; sdkAppId: number; taskId: string; wait: WaitExpectation | undefined };

/** The value of the first of `names` present in the last source that has one (later sources win, as the body does
 * over the query). README: null counts as missing; for the batch and wait keys, whose values are not parameters,
 * only null and undefined are absent (the documents are silent: "" is a value, and a wrong one). */
function lastPresent(sources: Json[], names: readonly string[]): { found: boolean; value: unknown } {
  let out: { found: boolean; value: unknown } = { found: false, value: undefined };
  for (const source of sources) {
    for (const name of names) {
      if (Object.hasOwn(source, name) && source[name] !== undefined && source[name] !== null) {
        out = { found: true, value: source[name] };
        break;
      }
    }
  }
  return out;
}

/** README: with several parameter faults, the first of this order; then the allow-list. */
function checkTask(rawApp: unknown, rawTask: unknown, allowed: ReadonlySet<number> | undefined): SlotExpectation {
  const app = sdkAppIdValue(rawApp);
  const task = isTaskId(rawTask) ? rawTask : undefined;
  const echo = { sdkAppId: app ?? null, taskId: task ?? null };
  if (rawApp === undefined) return { code: "MissingParameter.SdkAppId", ...echo };
  if (app === undefined) return { code: "InvalidParameter.SdkAppId", ...echo };
  if (rawTask === undefined) return { code: "MissingParameter.TaskId", ...echo };
  if (task === undefined) return { code: "InvalidParameter.TaskId", ...echo };
  if (allowed && !allowed.has(app)) return { code: "Forbidden.SdkAppId", ...echo };
  return { code: undefined, ...echo };
}

const isFiniteIn = (v: unknown, [min, max]: readonly [number, number]) => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;

/**
 * What the function must answer for `event` now that it also knows batches and waits. Single queries without
 * either get what {@link expectFor} says.
 */
export function expectWorkflowFor(input: unknown, allowed: ReadonlySet<number> | undefined): WorkflowExpectation {
  const event = input === undefined ? {} : input;
  const kind = kindOf(event);
  const http = kind !== undefined && kind !== "direct";
  // docs/workflows.md: throwOnError applies to whatever is not an HTTP request (a refused trigger event too).
  const wantsThrow = !http && isObject(event) && event.throwOnError === true;
  const refuse = (code: string, sdkAppId: number | null = null, taskId: string | null = null): WorkflowExpectation => ({
    outcome: "refused", kind, http, code, status: STATUS_OF[code]!, sdkAppId, taskId, throws: wantsThrow,
  });
  if (kind === undefined) return refuse("InvalidRequest.Event");
  let sources: Json[];
  try {
    sources = sourcesOf(kind, event as Json);
  } catch (error) {
    if (error instanceof Refused) return refuse(error.code);
    throw error;
  }
  let rawApp: unknown;
  let rawTask: unknown;
  for (const source of sources) {
    const a = pick(source, ["SdkAppId", "sdkAppId"]);
    if (a !== undefined) rawApp = a;
    const t = pick(source, ["TaskId", "taskId"]);
    if (t !== undefined) rawTask = t;
  }
  const top = checkTask(rawApp, rawTask, allowed);
  const echo = [top.sdkAppId, top.taskId] as const;

  const taskIds = lastPresent(sources, ["TaskIds", "taskIds"]);
  const tasks = lastPresent(sources, ["Tasks", "tasks"]);
  if (taskIds.found || tasks.found) {
    // docs/workflows.md: refused as a whole, 400, no upstream call; thrown under throwOnError (only a refused batch
    // is thrown). The documents list the faults without an order: the shape of the request (both lists, TaskId or
    // waitFor with a batch, not an array, empty) is judged before its size, and its size before its entries.
    const batchFault = (): string | undefined => {
      if (taskIds.found && tasks.found) return "InvalidRequest.Batch";
      if (rawTask !== undefined) return "InvalidRequest.Batch";
      if (lastPresent(sources, ["waitFor"]).found) return "InvalidRequest.Batch"; // waitFor: one task only
      const list = taskIds.found ? taskIds.value : tasks.value;
      if (!Array.isArray(list) || list.length === 0) return "InvalidRequest.Batch";
      if (list.length > MAX_BATCH_TASKS) return "InvalidRequest.BatchTooLarge";
      if (tasks.found && list.some((entry) => !isObject(entry))) return "InvalidRequest.Batch";
      return undefined;
    };
    const fault = batchFault();
    if (fault) return refuse(fault, ...echo);
    const list = (taskIds.found ? taskIds.value : tasks.value) as unknown[];
    // TaskIds share the top-level SdkAppId; a Tasks entry's own SdkAppId wins over it (when it has one: missing
    // per the null/"" rule falls back to the top level). Each slot is checked like a single query.
    const slots = list.map((entry) => {
      if (taskIds.found) return checkTask(rawApp, pick({ TaskId: entry }, ["TaskId"]), allowed);
      const own = entry as Json;
      return checkTask(pick(own, ["SdkAppId", "sdkAppId"]) ?? rawApp, pick(own, ["TaskId", "taskId"]), allowed);
    });
    // "A task named twice is asked once": the same SdkAppId value (however written) and TaskId.
    const distinct = new Map<string, { sdkAppId: number; taskId: string }>();
    for (const slot of slots) {
      if (slot.code === undefined) distinct.set(`${slot.sdkAppId}/${slot.taskId}`, { sdkAppId: slot.sdkAppId!, taskId: slot.taskId! });
    }
    return { outcome: "batch", kind, http, slots, upstream: [...distinct.values()] };
  }

  if (top.code) return refuse(top.code, ...echo);
  // "Wait until": checked after SdkAppId and TaskId (and, the documents being silent, after the allow-list, which is
  // a check of SdkAppId too). Options without waitFor mean no wait.
  const waitFor = lastPresent(sources, ["waitFor"]);
  if (!waitFor.found) return { outcome: "single", kind, http, sdkAppId: top.sdkAppId!, taskId: top.taskId!, wait: undefined };
  const asNumber = (v: unknown) => (http && typeof v === "string" && /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : v);
  const timeout = lastPresent(sources, ["waitTimeoutSeconds"]);
  const interval = lastPresent(sources, ["pollIntervalSeconds"]);
  // Several invalid options: the first in the documented order.
  if (!(WAIT_FOR_VALUES as readonly unknown[]).includes(waitFor.value)) return refuse("InvalidParameter.WaitFor", ...echo);
  if (timeout.found && !isFiniteIn(asNumber(timeout.value), http ? HTTP_WAIT_TIMEOUT_RANGE : WAIT_TIMEOUT_RANGE)) return refuse("InvalidParameter.WaitTimeoutSeconds", ...echo);
  if (interval.found && !isFiniteIn(asNumber(interval.value), POLL_INTERVAL_RANGE)) return refuse("InvalidParameter.PollIntervalSeconds", ...echo);
  return {
    outcome: "single", kind, http, sdkAppId: top.sdkAppId!, taskId: top.taskId!,
    wait: {
      waitFor: waitFor.value as WaitExpectation["waitFor"],
      timeoutSeconds: timeout.found ? (asNumber(timeout.value) as number) : http ? HTTP_WAIT_DEFAULT_TIMEOUT_SECONDS : WAIT_DEFAULT_TIMEOUT_SECONDS,
      pollIntervalSeconds: interval.found ? (asNumber(interval.value) as number) : WAIT_DEFAULT_POLL_INTERVAL_SECONDS,
    },
  };
}

/**
 * docs/workflows.md: polls are due every pollIntervalSeconds from the first, none starts later than
 * waitTimeoutSeconds after the first, and the wait ends as soon as the status is the one waited for; docs/callbacks.md:
 * each wait's polls are brought forward by a random phase of up to half an interval, at most 5 s. For a task whose
 * status does not change: how many polls (the invocation's deadline not being the limit), or undefined when the
 * phase decides it (an interval a little past the timeout: one poll, or two when the phase brings the second in).
 */
export function pollsFor(wait: WaitExpectation, status: string): number | undefined {
  if (status === wait.waitFor) return 1;
  const intervalMs = wait.pollIntervalSeconds * 1000;
  const timeoutMs = wait.timeoutSeconds * 1000;
  const phaseBoundMs = Math.min(intervalMs / 2, 5000);
  // Poll n (counting the first as 0) starts at n × interval − phase: with no phase, and with one just below its bound.
  let fewest = 1;
  while (fewest * intervalMs <= timeoutMs) fewest++;
  let most = 1;
  while (most * intervalMs - phaseBoundMs < timeoutMs) most++;
  return fewest === most ? fewest : undefined;
}

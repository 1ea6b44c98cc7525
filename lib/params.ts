/**
 * The contract's parameter rules, in one place. Raw values are picked from the event's sources (own keys only),
 * normalised (a string of decimal digits becomes a number), then judged by the plain checks below.
 *
 * Plain checks rather than JSON schemas: five fields, each one line, and one code per failure. A schema compiler
 * (ajv, compiled at build time) cost a build step, generated code in the bundle, a freshness test, and a mapping of
 * its error paths back to these codes.
 */
import { TrtcFunctionError } from "./errors";

export interface TaskParams {
  SdkAppId: number;
  TaskId: string;
}

export const MAX_SDK_APP_ID = 4294967295;
const MAX_TASK_ID_LENGTH = 256;

/** A positive integer no larger than {@link MAX_SDK_APP_ID}. */
export const isValidSdkAppId = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_SDK_APP_ID;

/** 1 to 256 visible ASCII characters: 0x21 ('!') to 0x7E ('~'); no white space, no control characters. */
export const isValidTaskId = (value: unknown): value is string =>
  typeof value === "string" && value.length >= 1 && value.length <= MAX_TASK_ID_LENGTH && /^[!-~]+$/.test(value);

const NAMES = {
  SdkAppId: ["SdkAppId", "sdkAppId"],
  TaskId: ["TaskId", "taskId"],
} as const;

type Json = Record<string, unknown>;

/** SdkAppId and TaskId as picked and normalised, not yet judged (what a failure payload may echo). */
export type RawParams = Partial<Record<keyof TaskParams, unknown>>;

/**
 * The one picker for every name the function reads: the value under the first of `names` that a source has as an
 * own key (so neither a prototype nor a `__proto__` key supplies anything), in the last source that has one (later
 * sources win: path, then query, then body). null and undefined are absent; "" is absent too unless `emptyIsValue`
 * (a batch's lists and waitFor are refused when present at all, even empty; a blank SdkAppId or TaskId is missing).
 * Returns undefined when absent (a value found is never undefined), allocating nothing: it runs on every call.
 */
export function pickLast(sources: readonly Json[], names: readonly string[], emptyIsValue = false): unknown {
  let found: unknown;
  for (const source of sources) {
    for (const name of names) {
      if (!Object.hasOwn(source, name)) continue;
      const value = source[name];
      if (value === null || value === undefined || (value === "" && !emptyIsValue)) continue;
      found = value;
      break;
    }
  }
  return found;
}

/** A string of ASCII decimal digits becomes a number; everything else is left for the check to judge. */
export function normaliseSdkAppId(value: unknown): unknown {
  // Any number of digits: leading zeros are allowed, and a long string becomes a number the check refuses.
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return Number(value);
  return value;
}

/** Picks SdkAppId and TaskId from the sources (later sources win) and normalises them; absent ones are left out. */
export function pickTaskParams(sources: readonly Json[]): RawParams {
  const out: RawParams = {};
  const sdkAppId = pickLast(sources, NAMES.SdkAppId);
  if (sdkAppId !== undefined) out.SdkAppId = normaliseSdkAppId(sdkAppId);
  const taskId = pickLast(sources, NAMES.TaskId);
  if (taskId !== undefined) out.TaskId = taskId;
  return out;
}

const PARAMETER_MESSAGES = {
  "MissingParameter.SdkAppId": "SdkAppId is missing",
  "InvalidParameter.SdkAppId": `SdkAppId must be a positive integer no larger than ${MAX_SDK_APP_ID}`,
  "MissingParameter.TaskId": "TaskId is missing",
  "InvalidParameter.TaskId": `TaskId must be 1 to ${MAX_TASK_ID_LENGTH} visible ASCII characters`,
} as const;

const parameterError = (code: keyof typeof PARAMETER_MESSAGES) => new TrtcFunctionError(code, PARAMETER_MESSAGES[code]);

/**
 * Judges picked parameters. With several faults the order is fixed — SdkAppId before TaskId, missing before
 * malformed — so the same input always gets the same answer.
 */
export function checkTaskParams(raw: RawParams): { ok: true; params: TaskParams } | { ok: false; error: TrtcFunctionError } {
  if (raw.SdkAppId === undefined) return { ok: false, error: parameterError("MissingParameter.SdkAppId") };
  if (!isValidSdkAppId(raw.SdkAppId)) return { ok: false, error: parameterError("InvalidParameter.SdkAppId") };
  if (raw.TaskId === undefined) return { ok: false, error: parameterError("MissingParameter.TaskId") };
  if (!isValidTaskId(raw.TaskId)) return { ok: false, error: parameterError("InvalidParameter.TaskId") };
  return { ok: true, params: { SdkAppId: raw.SdkAppId, TaskId: raw.TaskId } };
}

/** Statuses a caller may wait for (`waitFor`). */
export const WAIT_STATUSES = ["NotExist", "InProgress"] as const;
export type WaitStatus = (typeof WAIT_STATUSES)[number];

/**
 * Wait bounds, seconds. The invocation's own deadline cuts every wait shorter still. Over HTTP a wait may last at
 * most `maxHttpTimeoutSeconds`: API Gateway ends an integration after 29 s (REST, by default) or 30 s (HTTP API,
 * at most), and a caller behind a gateway that has hung up gets nothing (docs/events.md).
 */
export const WAIT_DEFAULTS = {
  timeoutSeconds: 60,
  httpTimeoutSeconds: 20,
  pollIntervalSeconds: 5,
  minPollIntervalSeconds: 1,
  maxPollIntervalSeconds: 300,
  maxTimeoutSeconds: 900,
  maxHttpTimeoutSeconds: 25,
} as const;

export interface WaitOptions {
  waitFor: WaitStatus;
  waitTimeoutSeconds?: number;
  pollIntervalSeconds?: number;
}

/** Over HTTP a query string carries text: a decimal number written as text is that number there. */
function numberOption(value: unknown, http: boolean): unknown {
  return http && typeof value === "string" && /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : value;
}

const inRange = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isFinite(value) && value >= min && value <= max;

/**
 * Judges the wait options (only when `waitFor` is present), in the order waitFor, waitTimeoutSeconds,
 * pollIntervalSeconds. `http`: the options came over HTTP, where a wait is bounded by the gateway's limit.
 */
export function checkWaitOptions(raw: Record<"waitFor" | "waitTimeoutSeconds" | "pollIntervalSeconds", unknown>, http: boolean): WaitOptions {
  const { waitFor } = raw;
  if (!WAIT_STATUSES.includes(waitFor as WaitStatus)) {
    throw new TrtcFunctionError("InvalidParameter.WaitFor", `waitFor must be one of ${WAIT_STATUSES.join(", ")}`);
  }
  const maxTimeout = http ? WAIT_DEFAULTS.maxHttpTimeoutSeconds : WAIT_DEFAULTS.maxTimeoutSeconds;
  const timeout = numberOption(raw.waitTimeoutSeconds, http);
  if (timeout !== undefined && !inRange(timeout, 1, maxTimeout)) {
    const where = http ? " over HTTP (a gateway ends the request after about 30 s; invoke directly for longer waits)" : "";
    throw new TrtcFunctionError("InvalidParameter.WaitTimeoutSeconds", `waitTimeoutSeconds must be a number from 1 to ${maxTimeout}${where}`);
  }
  const interval = numberOption(raw.pollIntervalSeconds, http);
  const { minPollIntervalSeconds: min, maxPollIntervalSeconds: max } = WAIT_DEFAULTS;
  if (interval !== undefined && !inRange(interval, min, max)) {
    throw new TrtcFunctionError("InvalidParameter.PollIntervalSeconds", `pollIntervalSeconds must be a number from ${min} to ${max}`);
  }
  const options: WaitOptions = { waitFor: waitFor as WaitStatus };
  const defaultTimeout = http ? WAIT_DEFAULTS.httpTimeoutSeconds : undefined;
  if (timeout !== undefined || defaultTimeout !== undefined) options.waitTimeoutSeconds = (timeout ?? defaultTimeout) as number;
  if (interval !== undefined) options.pollIntervalSeconds = interval as number;
  return options;
}

/**
 * A task's identity: two queries with the same key ask the same thing (a batch asks each once; the fleet shares one
 * request in flight and one cached answer per key and region).
 */
export const taskKeyOf = (params: TaskParams): string => `${params.SdkAppId}/${params.TaskId}`;

/** Most tasks one batch may name: at 18 requests per second, 100 tasks take about 5.5 s. */
export const MAX_BATCH_TASKS = 100;

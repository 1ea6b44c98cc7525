/**
 * The contract's parameter rules. Raw values are picked from the event's sources (own keys only), normalised
 * (a string of decimal digits becomes a number), then checked by the JSON schemas below (lib/input.ts applies them).
 * The schemas are compiled to plain JS at build time (build/compile-schemas.ts), so no schema compiler ships.
 */
import { TrtcFunctionError } from "./errors";

export interface TaskParams {
  SdkAppId: number;
  TaskId: string;
}

export const MAX_SDK_APP_ID = 4294967295;

/** JSON schema of a single-task query, after normalisation. */
export const taskParamsSchema = {
  $id: "TaskParams",
  type: "object",
  required: ["SdkAppId", "TaskId"],
  properties: {
    SdkAppId: { type: "integer", minimum: 1, maximum: MAX_SDK_APP_ID },
    // Visible ASCII: 0x21 ('!') to 0x7E ('~'); no white space, no control characters.
    TaskId: { type: "string", minLength: 1, maxLength: 256, pattern: "^[!-~]+$" },
  },
} as const;

const NAMES = {
  SdkAppId: ["SdkAppId", "sdkAppId"],
  TaskId: ["TaskId", "taskId"],
} as const;

type Json = Record<string, unknown>;

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

/** A string of ASCII decimal digits becomes a number; everything else is left for the schema to judge. */
function normaliseSdkAppId(value: unknown): unknown {
  // Any number of digits: leading zeros are allowed, and a long string becomes a number the schema refuses.
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return Number(value);
  return value;
}

/**
 * Picks SdkAppId and TaskId from the sources (later sources win) and normalises them. Absent parameters are left
 * out so the schema reports them as missing.
 */
export function pickTaskParams(sources: readonly Json[]): Partial<Record<keyof TaskParams, unknown>> {
  const out: Partial<Record<keyof TaskParams, unknown>> = {};
  const sdkAppId = pickLast(sources, NAMES.SdkAppId);
  if (sdkAppId !== undefined) out.SdkAppId = normaliseSdkAppId(sdkAppId);
  const taskId = pickLast(sources, NAMES.TaskId);
  if (taskId !== undefined) out.TaskId = taskId;
  return out;
}

/** An ajv error, reduced to the members we read. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

/**
 * Maps schema errors to the contract's codes. With several errors the order is fixed: SdkAppId before TaskId,
 * missing before malformed, so the same input always gets the same answer.
 */
export function parameterError(errors: readonly SchemaError[] | null | undefined, prefix = ""): TrtcFunctionError {
  const found = new Set<string>();
  for (const error of errors ?? []) {
    if (error.keyword === "required" && error.instancePath === prefix) {
      found.add(`MissingParameter.${String(error.params.missingProperty)}`);
    } else {
      const name = error.instancePath.slice(prefix.length).split("/")[1];
      found.add(`InvalidParameter.${name}`);
    }
  }
  const order = ["MissingParameter.SdkAppId", "InvalidParameter.SdkAppId", "MissingParameter.TaskId", "InvalidParameter.TaskId"];
  const code = order.find((candidate) => found.has(candidate)) ?? "InvalidParameter.TaskId";
  return new TrtcFunctionError(code, PARAMETER_MESSAGES[code]!);
}

const PARAMETER_MESSAGES: Record<string, string> = {
  "MissingParameter.SdkAppId": "SdkAppId is missing",
  "MissingParameter.TaskId": "TaskId is missing",
  "InvalidParameter.SdkAppId": `SdkAppId must be a positive integer no larger than ${MAX_SDK_APP_ID}`,
  "InvalidParameter.TaskId": "TaskId must be 1 to 256 visible ASCII characters",
};

/** Statuses a direct invocation may wait for (`waitFor`). */
export const WAIT_STATUSES = ["NotExist", "InProgress"] as const;
export type WaitStatus = (typeof WAIT_STATUSES)[number];

/** Wait bounds, seconds. The invocation's own deadline cuts every wait shorter still. */
export const WAIT_DEFAULTS = { timeoutSeconds: 60, pollIntervalSeconds: 5, minPollIntervalSeconds: 1, maxPollIntervalSeconds: 300, maxTimeoutSeconds: 900 } as const;

export interface WaitOptions {
  waitFor: WaitStatus;
  waitTimeoutSeconds?: number;
  pollIntervalSeconds?: number;
}

/** JSON schema of the wait options of a direct invocation (only checked when `waitFor` is present). */
export const waitOptionsSchema = {
  $id: "WaitOptions",
  type: "object",
  required: ["waitFor"],
  properties: {
    waitFor: { type: "string", enum: [...WAIT_STATUSES] },
    waitTimeoutSeconds: { type: "number", minimum: 1, maximum: WAIT_DEFAULTS.maxTimeoutSeconds },
    pollIntervalSeconds: { type: "number", minimum: WAIT_DEFAULTS.minPollIntervalSeconds, maximum: WAIT_DEFAULTS.maxPollIntervalSeconds },
  },
} as const;

const WAIT_CODES: Record<string, string> = {
  waitFor: "InvalidParameter.WaitFor",
  waitTimeoutSeconds: "InvalidParameter.WaitTimeoutSeconds",
  pollIntervalSeconds: "InvalidParameter.PollIntervalSeconds",
};

const WAIT_MESSAGES: Record<string, string> = {
  "InvalidParameter.WaitFor": `waitFor must be one of ${WAIT_STATUSES.join(", ")}`,
  "InvalidParameter.WaitTimeoutSeconds": `waitTimeoutSeconds must be a number from 1 to ${WAIT_DEFAULTS.maxTimeoutSeconds}`,
  "InvalidParameter.PollIntervalSeconds": `pollIntervalSeconds must be a number from ${WAIT_DEFAULTS.minPollIntervalSeconds} to ${WAIT_DEFAULTS.maxPollIntervalSeconds}`,
};

/** Maps wait-option schema errors to one code, in the order waitFor, waitTimeoutSeconds, pollIntervalSeconds. */
export function waitOptionsError(errors: readonly SchemaError[] | null | undefined): TrtcFunctionError {
  const found = new Set((errors ?? []).map((error) => WAIT_CODES[error.instancePath.split("/")[1] ?? "waitFor"] ?? "InvalidParameter.WaitFor"));
  const code = Object.values(WAIT_CODES).find((candidate) => found.has(candidate)) ?? "InvalidParameter.WaitFor";
  return new TrtcFunctionError(code, WAIT_MESSAGES[code]!);
}

/** Most tasks one batch may name: at 18 requests per second, 100 tasks take about 5.5 s. */
export const MAX_BATCH_TASKS = 100;

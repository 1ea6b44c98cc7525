/**
 * The contract's parameter rules. Raw values are picked from the event's sources (own keys only), normalised
 * (a string of decimal digits becomes a number), then checked by the JSON schema below through @middy/validator.
 * The schema is compiled to plain JS at build time (build/compile-schemas.ts), so no schema compiler ships.
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

/** The value of the first of `names` that `source` has as an own key, treating null and "" as absent. */
function pick(source: Json, names: readonly string[]): unknown {
  for (const name of names) {
    if (Object.hasOwn(source, name)) {
      const value = source[name];
      if (value !== null && value !== undefined && value !== "") return value;
    }
  }
  return undefined;
}

/** A string of ASCII decimal digits becomes a number; everything else is left for the schema to judge. */
function normaliseSdkAppId(value: unknown): unknown {
  if (typeof value === "string" && /^[0-9]{1,16}$/.test(value)) return Number(value);
  return value;
}

/**
 * Picks SdkAppId and TaskId from the sources (later sources win) and normalises them. Absent parameters are left
 * out so the schema reports them as missing.
 */
export function pickTaskParams(sources: Json[]): Partial<Record<keyof TaskParams, unknown>> {
  const out: Partial<Record<keyof TaskParams, unknown>> = {};
  for (const source of sources) {
    const sdkAppId = pick(source, NAMES.SdkAppId);
    if (sdkAppId !== undefined) out.SdkAppId = normaliseSdkAppId(sdkAppId);
    const taskId = pick(source, NAMES.TaskId);
    if (taskId !== undefined) out.TaskId = taskId;
  }
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

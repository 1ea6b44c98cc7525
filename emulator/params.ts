/** Request parameters: decoding the body or query, and the rules every action shares. */
import { ApiError } from "./api-error";

export type Params = Record<string, unknown>;

const MAX_SDK_APP_ID = 4294967295;
const VISIBLE_ASCII = /^[\x21-\x7e]{1,256}$/;

export function isSdkAppId(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_SDK_APP_ID;
}

export function isTaskId(value: unknown): value is string {
  return typeof value === "string" && VISIBLE_ASCII.test(value);
}

/**
 * The parameters of a request: the JSON body of a POST, the query of a GET. GET values are all strings and nested
 * ones arrive flattened (SourceUrl.0=...), as the SDK sends them; they are unflattened here.
 * Returns an ApiError instead of throwing so that the gateway can report it at the parameter stage.
 */
export function decodeParams(method: string, contentType: string | undefined, query: string, body: Buffer): Params | ApiError {
  if (method === "GET") return unflatten(new URLSearchParams(query));
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    return new ApiError("InvalidParameter", `Content-Type \`${mediaType || "(none)"}\` is not supported; use application/json.`);
  }
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Params;
  } catch {
    // reported below
  }
  return new ApiError("InvalidParameter", "The request body is not a JSON object.");
}

function unflatten(search: URLSearchParams): Params {
  const root: Params = {};
  for (const [key, value] of search) {
    const path = key.split(".");
    let node: Record<string, unknown> = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) node[segment] = value;
      else node = (node[segment] ??= /^\d+$/.test(path[i + 1]) ? [] : {}) as Record<string, unknown>;
    });
  }
  return root;
}

/** Rejects parameters the action does not define, as the real API does (UnknownParameter). */
export function rejectUnknown(params: Params, known: readonly string[]): void {
  const unknown = Object.keys(params).find((name) => !known.includes(name));
  if (unknown !== undefined) throw new ApiError("UnknownParameter", `The parameter \`${unknown}\` is not recognized.`);
}

function present(params: Params, name: string): boolean {
  return params[name] !== undefined && params[name] !== null;
}

/** Integers arrive as JSON numbers, or as decimal strings in a GET query. */
function asInteger(value: unknown, fromQuery: boolean): unknown {
  return fromQuery && typeof value === "string" && /^-?\d{1,10}$/.test(value) ? Number(value) : value;
}

export function requireSdkAppId(params: Params, fromQuery: boolean): number {
  if (!present(params, "SdkAppId")) throw new ApiError("MissingParameter.SdkAppId", "SdkAppId is missing.");
  const value = asInteger(params.SdkAppId, fromQuery);
  if (!isSdkAppId(value)) throw new ApiError("InvalidParameter.SdkAppId", "SdkAppId must be an integer from 1 to 4294967295.");
  return value;
}

export function requireTaskId(params: Params): string {
  if (!present(params, "TaskId")) throw new ApiError("MissingParameter.TaskId", "TaskId parameter missing.");
  if (!isTaskId(params.TaskId)) throw new ApiError("InvalidParameter.TaskId", "TaskId parameter error.");
  return params.TaskId;
}

/** A required string parameter with action-specific Missing/Invalid codes. */
export function requireString(params: Params, name: string): string {
  if (!present(params, name)) throw new ApiError(`MissingParameter.${name}`, `${name} is missing.`);
  const value = params[name];
  if (typeof value !== "string" || value.length === 0) throw new ApiError(`InvalidParameter.${name}`, `${name} must be a non-empty string.`);
  return value;
}

export function optionalInteger(params: Params, name: string, fromQuery: boolean): number | undefined {
  if (!present(params, name)) return undefined;
  const value = asInteger(params[name], fromQuery);
  if (typeof value !== "number" || !Number.isInteger(value)) throw new ApiError("InvalidParameterValue", `${name} must be an integer.`);
  return value;
}

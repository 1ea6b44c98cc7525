/**
 * The error catalogue: every code this function can return, with the HTTP status it maps to and whether the same
 * call may succeed later. The README's error table is generated from these facts plus the advice for callers in
 * scripts/error-table.ts, which stays out of the bundle (test/unit/readme.test.ts checks the two agree).
 */

export interface ErrorInfo {
  /** HTTP status for API Gateway events. */
  status: number;
  /** Whether the same call may succeed later. */
  retryable: boolean;
}

/** Codes the function produces itself (input, configuration and upstream-transport failures). */
export const FUNCTION_ERRORS = {
  "MissingParameter.SdkAppId": { status: 400, retryable: false },
  "MissingParameter.TaskId": { status: 400, retryable: false },
  "InvalidParameter.SdkAppId": { status: 400, retryable: false },
  "InvalidParameter.TaskId": { status: 400, retryable: false },
  "InvalidRequest.Body": { status: 400, retryable: false },
  "InvalidRequest.Event": { status: 400, retryable: false },
  "InvalidRequest.Method": { status: 405, retryable: false },
  "InvalidRequest.Batch": { status: 400, retryable: false },
  "InvalidRequest.BatchTooLarge": { status: 400, retryable: false },
  "InvalidParameter.WaitFor": { status: 400, retryable: false },
  "InvalidParameter.WaitTimeoutSeconds": { status: 400, retryable: false },
  "InvalidParameter.PollIntervalSeconds": { status: 400, retryable: false },
  RequestSizeLimitExceeded: { status: 413, retryable: false },
  "Forbidden.SdkAppId": { status: 403, retryable: false },
  InvalidConfiguration: { status: 500, retryable: false },
  "InvalidConfiguration.Region": { status: 500, retryable: false },
  "InvalidConfiguration.Endpoint": { status: 500, retryable: false },
  "InvalidConfiguration.Credentials": { status: 500, retryable: false },
  "InvalidConfiguration.Secret": { status: 500, retryable: false },
  UpstreamSecretsError: { status: 502, retryable: true },
  UpstreamTimeout: { status: 504, retryable: true },
  UpstreamNetworkError: { status: 502, retryable: true },
  UpstreamHttpError: { status: 502, retryable: true },
  UpstreamInvalidResponse: { status: 502, retryable: true },
  "InternalError.Function": { status: 500, retryable: false },
  // TRTC's stream-ingest callbacks (lib/relay/callback.ts). TRTC reads only the status: anything but 200 is delivered
  // again for a minute, so only a record the store could not take is retryable.
  "Forbidden.Callback": { status: 403, retryable: false },
  "InvalidCallback.Sign": { status: 401, retryable: false },
  "InvalidCallback.SdkAppId": { status: 400, retryable: false },
  "InvalidCallback.Body": { status: 400, retryable: false },
  "InvalidCallback.Stale": { status: 400, retryable: false },
  UpstreamRecordUnavailable: { status: 503, retryable: true },
} as const satisfies Record<string, ErrorInfo>;

export type FunctionErrorCode = keyof typeof FUNCTION_ERRORS;

/** Codes only a callback's answer carries (to TRTC): a status query, and so a workflow, never gets them. */
export const CALLBACK_ONLY_CODES: ReadonlySet<string> = new Set([
  "Forbidden.Callback",
  "InvalidCallback.Sign",
  "InvalidCallback.SdkAppId",
  "InvalidCallback.Body",
  "InvalidCallback.Stale",
  "UpstreamRecordUnavailable",
]);

/**
 * Codes the TRTC API itself answers with, that callers commonly meet. Codes not listed here are classified by their
 * prefix (see {@link describeErrorCode}), so a code this version does not know still gets a sensible status.
 */
export const API_ERRORS: Record<string, ErrorInfo> = {
  RequestLimitExceeded: { status: 429, retryable: true },
  "InternalError.DBError": { status: 502, retryable: true },
  "FailedOperation.QueryTaskInfoFailed": { status: 502, retryable: true },
  InternalError: { status: 502, retryable: true },
  ServiceUnavailable: { status: 502, retryable: true },
  ResourceUnavailable: { status: 502, retryable: true },
  "InvalidParameter.TaskId": { status: 400, retryable: false },
  // A common code: the value passed the function's rules but not TRTC's (an SdkAppId of another account, say).
  InvalidParameterValue: { status: 400, retryable: false },
  "AuthFailure.SignatureFailure": { status: 502, retryable: false },
  "AuthFailure.SecretIdNotFound": { status: 502, retryable: false },
  "AuthFailure.SignatureExpire": { status: 502, retryable: false },
  "AuthFailure.TokenFailure": { status: 502, retryable: false },
  "AuthFailure.UnauthorizedOperation": { status: 502, retryable: false },
  UnsupportedRegion: { status: 500, retryable: false },
};

/** Fallbacks by the code's prefix, for API codes not in {@link API_ERRORS}. */
const API_PREFIXES: Array<[prefix: string, info: ErrorInfo]> = [
  ["RequestLimitExceeded", API_ERRORS.RequestLimitExceeded!],
  ["InternalError", API_ERRORS.InternalError!],
  ["ServiceUnavailable", API_ERRORS.ServiceUnavailable!],
  ["ResourceUnavailable", API_ERRORS.ResourceUnavailable!],
  ["AuthFailure", { status: 502, retryable: false }],
  ["UnauthorizedOperation", { status: 502, retryable: false }],
  ["MissingParameter", { status: 400, retryable: false }],
  ["InvalidParameter", { status: 400, retryable: false }],
  ["InvalidParameterValue", API_ERRORS.InvalidParameterValue!],
  ["UnknownParameter", { status: 400, retryable: false }],
];

const UNKNOWN_API_ERROR: ErrorInfo = { status: 502, retryable: false };

/** A code's own catalogue entry (the function's first, then the API's), or undefined when neither lists it. */
function catalogued(code: string): ErrorInfo | undefined {
  if (Object.hasOwn(FUNCTION_ERRORS, code)) return FUNCTION_ERRORS[code as FunctionErrorCode];
  return Object.hasOwn(API_ERRORS, code) ? API_ERRORS[code] : undefined;
}

/** Status and retryability for any code: the function's own, a known API code, or an unknown one. */
export function describeErrorCode(code: string): ErrorInfo {
  const info = catalogued(code);
  if (info) return info;
  for (const [prefix, info] of API_PREFIXES) {
    if (code === prefix || code.startsWith(`${prefix}.`)) return info;
  }
  return UNKNOWN_API_ERROR;
}

/**
 * The name a workflow engine matches a failure by (Step Functions' `ErrorEquals` compares whole names): the longest
 * catalogued code that the code is or starts with (cut at a dot) and that has the failure's retryability, else the
 * code. `InternalError.ServerError` is thrown as `InternalError`, so a sub-code TRTC adds later still reaches the
 * retrier of its family, and a retryable failure never borrows a non-retryable name (or the reverse).
 */
export function workflowErrorName(code: string, retryable: boolean = describeErrorCode(code).retryable): string {
  const parts = code.split(".");
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join(".");
    const info = catalogued(name);
    if (info && info.retryable === retryable) return name;
  }
  return code;
}

/** The `error` member of the contract's failure payload. */
export interface ErrorPayload {
  code: string;
  message: string;
  retryable: boolean;
}

/**
 * An error this function raises on purpose: it carries a catalogued code and, where TRTC answered, its RequestId.
 * Everything thrown inside the function is turned into one of these before it reaches a caller. Whether it may be
 * retried is the catalogue's to say, always ({@link describeErrorCode}: a code TRTC adds later by its prefix, else
 * not retryable): no caller decides it on the side.
 */
export class TrtcFunctionError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { requestId?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TrtcFunctionError";
    this.code = code;
    this.requestId = options.requestId || undefined;
    this.retryable = describeErrorCode(code).retryable;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

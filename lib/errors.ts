/**
 * The error catalogue: every code this function can return, with the HTTP status it maps to and whether the same
 * call may succeed later. The README's error table is generated from the same facts (see test/readme.test.ts).
 */

export interface ErrorInfo {
  /** HTTP status for API Gateway events. */
  status: number;
  /** Whether the same call may succeed later. */
  retryable: boolean;
  /** What the caller should do, for the README table. */
  advice: string;
}

/** Codes the function produces itself (input, configuration and upstream-transport failures). */
export const FUNCTION_ERRORS = {
  "MissingParameter.SdkAppId": { status: 400, retryable: false, advice: "Send SdkAppId." },
  "MissingParameter.TaskId": { status: 400, retryable: false, advice: "Send TaskId." },
  "InvalidParameter.SdkAppId": {
    status: 400,
    retryable: false,
    advice: "Send a positive integer no larger than 4294967295 (a JSON number or a string of decimal digits).",
  },
  "InvalidParameter.TaskId": {
    status: 400,
    retryable: false,
    advice: "Send the TaskId StartStreamIngest returned: 1-256 visible ASCII characters.",
  },
  "InvalidRequest.Body": { status: 400, retryable: false, advice: "Send a JSON object body (or none) encoded as UTF-8." },
  "InvalidRequest.Event": {
    status: 400,
    retryable: false,
    advice: "Invoke with a JSON object ({\"SdkAppId\":…,\"TaskId\":…}) or through an API Gateway trigger.",
  },
  "InvalidRequest.Method": { status: 405, retryable: false, advice: "Use GET or POST." },
  "InvalidRequest.Batch": {
    status: 400,
    retryable: false,
    advice: "Send TaskIds as a non-empty array of strings (with SdkAppId), or Tasks as a non-empty array of {SdkAppId, TaskId} objects; not both, and not with TaskId or waitFor.",
  },
  "InvalidRequest.BatchTooLarge": { status: 400, retryable: false, advice: "Send at most 100 tasks per batch; split larger sets." },
  "InvalidParameter.WaitFor": { status: 400, retryable: false, advice: "Send waitFor as \"NotExist\" or \"InProgress\"." },
  "InvalidParameter.WaitTimeoutSeconds": { status: 400, retryable: false, advice: "Send waitTimeoutSeconds as a number from 1 to 900." },
  "InvalidParameter.PollIntervalSeconds": { status: 400, retryable: false, advice: "Send pollIntervalSeconds as a number from 1 to 300." },
  RequestSizeLimitExceeded: { status: 413, retryable: false, advice: "A status request is a few hundred bytes; keep the body under 64 KB." },
  "Forbidden.SdkAppId": {
    status: 403,
    retryable: false,
    advice: "This deployment is not allowed to query that SdkAppId (TRTC_ALLOWED_SDK_APP_IDS).",
  },
  InvalidConfiguration: { status: 500, retryable: false, advice: "Operator: fix the setting the message names." },
  "InvalidConfiguration.Region": { status: 500, retryable: false, advice: "Operator: set TRTC_REGION to one of the four supported regions." },
  "InvalidConfiguration.Endpoint": { status: 500, retryable: false, advice: "Operator: fix TRTC_ENDPOINT / TRTC_ENDPOINT_URL." },
  "InvalidConfiguration.Credentials": {
    status: 500,
    retryable: false,
    advice: "Operator: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or give the SCF function a role.",
  },
  "InvalidConfiguration.Secret": {
    status: 500,
    retryable: false,
    advice: "Operator: check the secret TRTC_CREDENTIALS_SECRET_ID names, its JSON ({\"SecretId\":…,\"SecretKey\":…}) and the function's permission to read it.",
  },
  UpstreamSecretsError: { status: 502, retryable: true, advice: "AWS Secrets Manager failed or could not be reached; retry with backoff." },
  UpstreamTimeout: { status: 504, retryable: true, advice: "TRTC did not answer in time; retry with backoff." },
  UpstreamNetworkError: { status: 502, retryable: true, advice: "The connection to TRTC failed; retry with backoff." },
  UpstreamHttpError: { status: 502, retryable: true, advice: "TRTC's gateway answered with an HTTP error; retry with backoff." },
  UpstreamInvalidResponse: {
    status: 502,
    retryable: true,
    advice: "TRTC answered with something that is not its JSON envelope; retry with backoff.",
  },
  "InternalError.Function": { status: 500, retryable: false, advice: "A bug in this function; report it with the requestId." },
} as const satisfies Record<string, ErrorInfo>;

export type FunctionErrorCode = keyof typeof FUNCTION_ERRORS;

/**
 * Codes the TRTC API itself answers with, that callers commonly meet. Codes not listed here are classified by their
 * prefix (see {@link describeErrorCode}), so a code this version does not know still gets a sensible status.
 */
export const API_ERRORS: Record<string, ErrorInfo> = {
  RequestLimitExceeded: { status: 429, retryable: true, advice: "Throttled (20 requests/s); retry with backoff." },
  "InternalError.DBError": { status: 502, retryable: true, advice: "TRTC's database failed; retry with backoff." },
  "FailedOperation.QueryTaskInfoFailed": { status: 502, retryable: true, advice: "TRTC could not query the task; retry with backoff." },
  InternalError: { status: 502, retryable: true, advice: "TRTC failed internally; retry with backoff." },
  ServiceUnavailable: { status: 502, retryable: true, advice: "TRTC is unavailable; retry with backoff." },
  ResourceUnavailable: { status: 502, retryable: true, advice: "A resource TRTC needs is unavailable; retry with backoff." },
  "InvalidParameter.TaskId": { status: 400, retryable: false, advice: "TRTC rejected the TaskId; check it." },
  // A common code: the value passed the function's rules but not TRTC's (an SdkAppId of another account, say).
  InvalidParameterValue: { status: 400, retryable: false, advice: "TRTC rejected a parameter value (an SdkAppId of another account?); check it." },
  "AuthFailure.SignatureFailure": { status: 502, retryable: false, advice: "Operator: the function's SecretKey is wrong." },
  "AuthFailure.SecretIdNotFound": { status: 502, retryable: false, advice: "Operator: the function's SecretId does not exist." },
  "AuthFailure.SignatureExpire": { status: 502, retryable: false, advice: "Operator: the function's clock is off by more than 5 minutes." },
  "AuthFailure.TokenFailure": {
    status: 502,
    retryable: false,
    advice: "Temporary credentials expired; the function re-reads them once, then gives up.",
  },
  "AuthFailure.UnauthorizedOperation": { status: 502, retryable: false, advice: "Operator: allow trtc:DescribeStreamIngest in CAM." },
  UnsupportedRegion: { status: 500, retryable: false, advice: "Operator: use one of the four supported regions." },
};

/** Fallbacks by the code's prefix, for API codes not in {@link API_ERRORS}. */
const API_PREFIXES: Array<[prefix: string, info: ErrorInfo]> = [
  ["RequestLimitExceeded", API_ERRORS.RequestLimitExceeded!],
  ["InternalError", API_ERRORS.InternalError!],
  ["ServiceUnavailable", API_ERRORS.ServiceUnavailable!],
  ["ResourceUnavailable", API_ERRORS.ResourceUnavailable!],
  ["AuthFailure", { status: 502, retryable: false, advice: "Operator: check the function's credentials and CAM policy." }],
  ["UnauthorizedOperation", { status: 502, retryable: false, advice: "Operator: check the CAM policy." }],
  ["MissingParameter", { status: 400, retryable: false, advice: "Check the request parameters." }],
  ["InvalidParameter", { status: 400, retryable: false, advice: "Check the request parameters." }],
  ["InvalidParameterValue", API_ERRORS.InvalidParameterValue!],
  ["UnknownParameter", { status: 400, retryable: false, advice: "Check the request parameters." }],
];

const UNKNOWN_API_ERROR: ErrorInfo = { status: 502, retryable: false, advice: "See the message and the requestId." };

/** Status, retryability and advice for any code: the function's own, a known API code, or an unknown one. */
export function describeErrorCode(code: string): ErrorInfo {
  if (Object.hasOwn(FUNCTION_ERRORS, code)) return FUNCTION_ERRORS[code as FunctionErrorCode];
  if (Object.hasOwn(API_ERRORS, code)) return API_ERRORS[code]!;
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
    const info = Object.hasOwn(FUNCTION_ERRORS, name) ? FUNCTION_ERRORS[name as FunctionErrorCode] : Object.hasOwn(API_ERRORS, name) ? API_ERRORS[name] : undefined;
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
 * Everything thrown inside the function is turned into one of these before it reaches a caller.
 */
export class TrtcFunctionError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { requestId?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TrtcFunctionError";
    this.code = code;
    this.requestId = options.requestId || undefined;
    this.retryable = options.retryable ?? describeErrorCode(code).retryable;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export function isTrtcFunctionError(error: unknown): error is TrtcFunctionError {
  return error instanceof TrtcFunctionError;
}

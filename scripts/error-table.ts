/**
 * Prints the README's error table: codes, statuses and retryability from lib/errors.ts, with the advice for callers
 * kept here (documentation, not shipped code: it stays out of the bundle). test/unit/readme.test.ts checks that
 * README.md contains exactly this table and that every catalogued code has advice here, and no other.
 *
 *   tsx scripts/error-table.ts
 */
import { API_ERRORS, FUNCTION_ERRORS, type ErrorInfo, type FunctionErrorCode } from "../lib/errors";

/** What the caller should do, per code the function itself returns. */
export const FUNCTION_ADVICE: Record<FunctionErrorCode, string> = {
  "MissingParameter.SdkAppId": "Send SdkAppId.",
  "MissingParameter.TaskId": "Send TaskId.",
  "InvalidParameter.SdkAppId":
    "Send a positive integer no larger than 4294967295 (a JSON number or a string of decimal digits).",
  "InvalidParameter.TaskId": "Send the TaskId StartStreamIngest returned: 1-256 visible ASCII characters.",
  "InvalidRequest.Body": "Send a JSON object body (or none) encoded as UTF-8; on …/stream-ingest/callback, only TRTC's callbacks (a POST whose JSON body has EventGroupId).",
  "InvalidRequest.Event":
    "Invoke with a JSON object ({\"SdkAppId\":…,\"TaskId\":…}) or through an HTTP route (API Gateway, a function URL, an ALB); trigger events (queues, storage, schedules, logs) ask for no status.",
  "InvalidRequest.Method": "Use GET or POST.",
  "InvalidRequest.Batch":
    "Send TaskIds as a non-empty array of strings (with SdkAppId), or Tasks as a non-empty array of {SdkAppId, TaskId} objects; not both, and not with TaskId or waitFor.",
  "InvalidRequest.BatchTooLarge": "Send at most 100 tasks per batch; split larger sets.",
  "InvalidParameter.WaitFor": "Send waitFor as \"NotExist\" or \"InProgress\".",
  "InvalidParameter.WaitTimeoutSeconds": "Send waitTimeoutSeconds as a number from 1 to 900 (at most 25 over HTTP; invoke directly for longer waits).",
  "InvalidParameter.PollIntervalSeconds": "Send pollIntervalSeconds as a number from 1 to 300.",
  RequestSizeLimitExceeded: "A status request or a callback is a few hundred bytes; keep the body under 64 KB.",
  "Forbidden.SdkAppId":
    "This deployment is not allowed to query that SdkAppId, or take its callbacks (TRTC_ALLOWED_SDK_APP_IDS).",
  InvalidConfiguration: "Operator: fix the setting the message names.",
  "InvalidConfiguration.Region": "Operator: set TRTC_REGION to a Tencent Cloud region name in lower case, such as ap-singapore, ap-tokyo or ap-guangzhou.",
  "InvalidConfiguration.Endpoint": "Operator: fix TRTC_ENDPOINT / TRTC_ENDPOINT_URL (also: a proxy or private link in front of TRTC refused the request with a 4xx).",
  "InvalidConfiguration.Credentials":
    "Operator: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or give the SCF function a role.",
  "InvalidConfiguration.Secret":
    "Operator: check the secret TRTC_CREDENTIALS_SECRET_ID names, its JSON ({\"SecretId\":…,\"SecretKey\":…}, and an optional \"CallbackKey\" of 1-32 letters and digits) and the function's permission to read it.",
  UpstreamSecretsError: "AWS Secrets Manager failed or could not be reached; retry with backoff.",
  UpstreamTimeout: "TRTC did not answer in time; retry with backoff.",
  UpstreamNetworkError: "The connection to TRTC failed; retry with backoff.",
  UpstreamHttpError: "TRTC's gateway answered with an HTTP 5xx, 408, 429 or a redirect; retry with backoff.",
  UpstreamInvalidResponse:
    "TRTC answered with something that is not its JSON envelope; retry with backoff.",
  "InternalError.Function": "A bug in this function; report it with the requestId.",
  "Forbidden.Callback":
    "Operator: set TRTC_CALLBACK_KEY (or \"CallbackKey\" in the configured secret) to the callback key set in TRTC's console; until then every callback is refused.",
  "InvalidCallback.Sign":
    "The Sign header must be base64(HMAC-SHA256(key, body as sent)): check that the key in TRTC's console is TRTC_CALLBACK_KEY and that nothing in front of the function rewrites the body.",
  "InvalidCallback.SdkAppId": "Send the SdkAppId header: a positive integer no larger than 4294967295.",
  "InvalidCallback.Body":
    "Send TRTC's callback body: a UTF-8 JSON object with an integer EventGroupId; for group 7 also CallbackMsTs and EventType, and EventInfo {EventMsTs, TaskId, Status}.",
  "InvalidCallback.Stale":
    "CallbackMsTs is more than 10 minutes from the function's clock: a replayed callback, or a clock that is off.",
  UpstreamRecordUnavailable:
    "The store (Redis) could not take the record in time; nothing was recorded. TRTC delivers the callback again within its minute of retries.",
};

/** What the caller should do, per TRTC API code in the catalogue. */
export const API_ADVICE: Record<string, string> = {
  RequestLimitExceeded: "Throttled (20 requests/s); retry with backoff.",
  "InternalError.DBError": "TRTC's database failed; retry with backoff.",
  "FailedOperation.QueryTaskInfoFailed": "TRTC could not query the task; retry with backoff.",
  InternalError: "TRTC failed internally; retry with backoff.",
  ServiceUnavailable: "TRTC is unavailable; retry with backoff.",
  ResourceUnavailable: "A resource TRTC needs is unavailable; retry with backoff.",
  "InvalidParameter.TaskId": "TRTC rejected the TaskId; check it.",
  InvalidParameterValue: "TRTC rejected a parameter value (an SdkAppId of another account?); check it.",
  "AuthFailure.SignatureFailure": "Operator: the function's SecretKey is wrong.",
  "AuthFailure.SecretIdNotFound": "Operator: the function's SecretId does not exist.",
  "AuthFailure.SignatureExpire": "Operator: the function's clock is off by more than 5 minutes.",
  "AuthFailure.TokenFailure":
    "Temporary credentials expired; the function re-reads them once, then gives up.",
  "AuthFailure.UnauthorizedOperation": "Operator: allow trtc:DescribeStreamIngest in CAM.",
  UnsupportedRegion: "Operator: TRTC does not serve stream ingest in TRTC_REGION; set it to the region the relay tasks were started in.",
};

/** Catalogued codes without advice, and advice for codes the catalogue does not have. */
export function adviceMismatches(): string[] {
  const missing = (catalogue: object, advice: object, from: string) => [
    ...Object.keys(catalogue).filter((code) => !Object.hasOwn(advice, code)).map((code) => `${from} ${code}: no advice`),
    ...Object.keys(advice).filter((code) => !Object.hasOwn(catalogue, code)).map((code) => `${from} ${code}: advice for a code not in lib/errors.ts`),
  ];
  return [...missing(FUNCTION_ERRORS, FUNCTION_ADVICE, "function"), ...missing(API_ERRORS, API_ADVICE, "TRTC API")];
}

export function errorTable(): string {
  const row = (code: string, info: ErrorInfo, source: string, advice: string | undefined) =>
    `| \`${code}\` | ${source} | ${info.status} | ${info.retryable ? "yes" : "no"} | ${advice ?? ""} |`;
  return [
    "| code | from | HTTP status | retryable | what the caller should do |",
    "| --- | --- | --- | --- | --- |",
    ...Object.entries(FUNCTION_ERRORS).map(([code, info]) => row(code, info, "function", FUNCTION_ADVICE[code as FunctionErrorCode])),
    ...Object.entries(API_ERRORS).map(([code, info]) => row(code, info, "TRTC API", API_ADVICE[code])),
  ].join("\n");
}

if (require.main === module) console.log(errorTable());

/**
 * The context objects each platform hands a handler, for invoking the bundle locally (npm run invoke) and in tests.
 * AWS Lambda's carries awsRequestId and getRemainingTimeInMillis(); Tencent SCF's carries request_id and the
 * configured time_limit_in_ms, with no getRemainingTimeInMillis to rely on.
 */
import { randomUUID } from "node:crypto";

const FUNCTION_NAME = "trtc-stream-ingest-status";

/** An AWS Lambda context with `remainingMs` left. */
export function awsContext(remainingMs = 10_000, requestId: string = randomUUID()) {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: requestId,
    functionName: FUNCTION_NAME,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:ap-southeast-1:123456789012:function:${FUNCTION_NAME}`,
    memoryLimitInMB: "256",
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: "2026/11/24/[$LATEST]0123456789abcdef",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** A Tencent SCF context: a configured limit of `timeLimitMs`, no getRemainingTimeInMillis. */
export function scfContext(timeLimitMs = 10_000, requestId: string = randomUUID()) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    memory_limit_in_mb: 128,
    time_limit_in_ms: timeLimitMs,
    request_id: requestId,
    environment: "{}",
    environ: "",
    function_version: "$LATEST",
    function_name: FUNCTION_NAME,
    namespace: "default",
    tencentcloud_region: "ap-singapore",
    tencentcloud_appid: "1250000000",
    tencentcloud_uin: "100000000001",
  };
}

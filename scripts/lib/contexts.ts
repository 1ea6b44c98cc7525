/**
 * The context objects each platform hands a handler, for invoking the bundle locally (npm run invoke) and in tests.
 * AWS Lambda's carries awsRequestId and getRemainingTimeInMillis(); Tencent SCF's (the Node.js runtime's context,
 * https://www.tencentcloud.com/document/product/583/46770 and the Node.js notes, 583/11060) carries request_id, the
 * configured time_limit_in_ms, getRemainingTimeInMillis() and callbackWaitsForEmptyEventLoop (true unless the
 * function sets it). {@link minimalScfContext} has neither of the last two, as hand-made contexts and older
 * runtimes: the function must not rely on them.
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

/** A Tencent SCF context: a configured limit of `timeLimitMs`, all of it left. */
export function scfContext(timeLimitMs = 10_000, requestId: string = randomUUID()) {
  const deadline = Date.now() + timeLimitMs;
  return {
    ...minimalScfContext(timeLimitMs, requestId),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** An SCF context without getRemainingTimeInMillis and callbackWaitsForEmptyEventLoop: only the configured limit. */
export function minimalScfContext(timeLimitMs = 10_000, requestId: string = randomUUID()) {
  return {
    memory_limit_in_mb: 128,
    time_limit_in_ms: timeLimitMs,
    request_id: requestId,
    environment: JSON.stringify({ SCF_NAMESPACE: "default", TENCENTCLOUD_REGION: "ap-singapore" }),
    environ: "SCF_NAMESPACE=default;TENCENTCLOUD_REGION=ap-singapore",
    function_version: "$LATEST",
    function_name: FUNCTION_NAME,
    namespace: "default",
    tencentcloud_region: "ap-singapore",
    tencentcloud_appid: "1250000000",
    tencentcloud_uin: "100000000001",
  };
}

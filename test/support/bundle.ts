/**
 * Loads the built bundle (dist/describe-stream-ingest/index.js) the way a platform does: a fresh module instance,
 * configured by the environment at load time. Each vitest file runs in its own process, so environment changes
 * stay within the file.
 */
import { createRequire } from "node:module";
import { join } from "node:path";

export const BUNDLE = join(__dirname, "..", "..", "dist", "describe-stream-ingest", "index.js");

export type Handler = (event: unknown, context?: unknown) => Promise<any>;
export interface Bundle {
  handler: Handler;
  main_handler: Handler;
}

const requireFromHere = createRequire(__filename);

/** Sets `env` (undefined deletes a variable) and loads a fresh copy of the bundle, as a cold start would. */
export function loadBundle(env: Record<string, string | undefined> = {}): Bundle {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  delete requireFromHere.cache[BUNDLE];
  return requireFromHere(BUNDLE) as Bundle;
}

/** An AWS Lambda context with a time limit. */
export function awsContext(remainingMs = 10_000, requestId = `aws-${Math.random().toString(16).slice(2)}`) {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: requestId,
    functionName: "trtc-stream-ingest-status",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:ap-southeast-1:123456789012:function:trtc-stream-ingest-status",
    memoryLimitInMB: "256",
    logGroupName: "/aws/lambda/trtc-stream-ingest-status",
    logStreamName: "2026/11/24/[$LATEST]0123456789abcdef",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** A Tencent SCF context: a configured limit, no getRemainingTimeInMillis. */
export function scfContext(timeLimitMs = 10_000, requestId = `scf-${Math.random().toString(16).slice(2)}`) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    memory_limit_in_mb: 128,
    time_limit_in_ms: timeLimitMs,
    request_id: requestId,
    environment: "{}",
    environ: "",
    function_version: "$LATEST",
    function_name: "trtc-stream-ingest-status",
    namespace: "default",
    tencentcloud_region: "ap-singapore",
    tencentcloud_appid: "1250000000",
    tencentcloud_uin: "100000000001",
  };
}

/** Captures what the function writes to stdout (its log lines) while `fn` runs. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), lines };
  } finally {
    process.stdout.write = original;
  }
}

/**
 * What the benchmark's child processes share: the bare-SDK baseline client, an AWS-like context, timing, and the
 * channel back to bench/run.ts. Children are compiled by run.ts with esbuild (packages left external) and run
 * under plain `node`, so nothing of tsx is loaded into what is measured.
 */
import type http from "node:http";
import type net from "node:net";

/** Where the SDK package is resolved from: the project root, as the function's own build does. */
export const SDK_PACKAGE = "tencentcloud-sdk-nodejs";
export const SDK_TRTC_CLIENT = "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_client";
export const SIGNED_ENDPOINT = "trtc.tencentcloudapi.com";
export const APP = 1400000001;
export const DEMO_TASK = "demo-task-in-progress";

export type Handler = (event: unknown, context?: unknown) => Promise<any>;

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bench child: ${name} is not set`);
  return value;
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A keep-alive agent whose connections go to `url` (an emulator) whatever host the SDK's URL names. */
export function redirectAgent(url: string, keepAlive = true): http.Agent {
  // Required here, not imported at the top: a child must load nothing before what it measures.
  const http = require("node:http") as typeof import("node:http");
  const net = require("node:net") as typeof import("node:net");
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive, maxSockets: 50 });
  (agent as unknown as { createConnection: typeof net.createConnection }).createConnection = ((opts: net.NetConnectOpts, callback?: () => void) =>
    net.createConnection({ ...(opts as net.TcpNetConnectOpts), host: target.hostname, port: Number(target.port) }, callback)) as typeof net.createConnection;
  return agent;
}

/** The client options a developer would write, pointed at the emulator by protocol and agent only. */
export function sdkClientOptions(url: string) {
  return {
    credential: { secretId: env("TENCENTCLOUD_SECRET_ID"), secretKey: env("TENCENTCLOUD_SECRET_KEY") },
    region: "ap-singapore",
    profile: { httpProfile: { endpoint: SIGNED_ENDPOINT, protocol: "http://", agent: redirectAgent(url) } },
  };
}

export interface BareSdkClient {
  DescribeStreamIngest(req: { SdkAppId: number; TaskId: string }): Promise<{ Status?: string; RequestId?: string }>;
}

/** The SDK the way its README shows: the whole package, then the product's client. */
export function readmeSdkClient(url: string): BareSdkClient {
  const tencentcloud = require(SDK_PACKAGE);
  return new tencentcloud.trtc.v20190722.Client(sdkClientOptions(url));
}

/** Only the TRTC client module (what the function's bundle starts from). */
export function deepSdkClient(url: string): BareSdkClient {
  const { Client } = require(SDK_TRTC_CLIENT);
  return new Client(sdkClientOptions(url));
}

/** An AWS Lambda context with `remainingMs` left. */
export function awsContext(remainingMs: number, requestId = `bench-${process.pid}-${Math.random().toString(16).slice(2)}`) {
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

/** Sends the child's result to bench/run.ts and ends the process once it is delivered. */
export function report(result: unknown): void {
  if (!process.send) {
    console.error(JSON.stringify(result));
    process.exit(0);
  }
  process.send({ type: "result", result }, () => process.exit(0));
}

/** Fails the child with a message run.ts shows. */
export function fail(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (process.send) process.send({ type: "error", message }, () => process.exit(1));
  else console.error(message);
  setTimeout(() => process.exit(1), 1000).unref();
}

/** Waits for a message of `type` from run.ts. */
export function waitFor(type: string): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (message: any) => {
      if (message?.type === type) {
        process.off("message", onMessage);
        resolve(message);
      }
    };
    process.on("message", onMessage);
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

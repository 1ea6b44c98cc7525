/**
 * The one place that talks to TRTC: builds the official SDK client once per container and turns each call's
 * outcome into either a status or a classified {@link TrtcFunctionError}.
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
// Deep import: the per-product package is not published where we install from; esbuild keeps only this client.
import { Client } from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_client";
import type { FunctionConfig } from "./config";
import type { CredentialSource } from "./credentials";
import { TrtcFunctionError, describeErrorCode } from "./errors";

export interface DescribeOutcome {
  status: string;
  requestId: string;
}

export interface CallOptions {
  /** Sent as X-TC-TraceId so one call can be followed from the caller through TRTC. */
  traceId: string;
  timeoutMs: number;
}

/** The upstream API as the rest of the function sees it: one typed call. */
export interface TrtcApi {
  describeStreamIngest(params: { SdkAppId: number; TaskId: string }, options: CallOptions): Promise<DescribeOutcome>;
}

/**
 * A keep-alive agent that sends every request to `target` whatever the URL's host says. The SDK builds its URL,
 * Host header and signature from the endpoint (trtc.tencentcloudapi.com); this agent only changes where the TCP
 * connection goes, so an emulator or proxy sees exactly what the real API would.
 */
function createAgent(config: FunctionConfig): http.Agent {
  const { target, endpoint } = config;
  const redirected = target.hostname !== endpoint || target.port !== (target.protocol === "https:" ? 443 : 80);
  const options = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 50, scheduling: "lifo" as const };
  if (target.protocol === "https:") {
    const agent = new https.Agent(options);
    if (redirected) {
      const servername = net.isIP(target.hostname) ? undefined : target.hostname;
      (agent as unknown as { createConnection: typeof tls.connect }).createConnection = ((opts: tls.ConnectionOptions, callback?: () => void) =>
        tls.connect({ ...opts, host: target.hostname, port: target.port, servername }, callback)) as typeof tls.connect;
    }
    return agent;
  }
  const agent = new http.Agent(options);
  // http.Agent's createConnection is net.createConnection; only the destination changes.
  (agent as unknown as { createConnection: typeof net.createConnection }).createConnection = ((opts: net.NetConnectOpts, callback?: () => void) =>
    net.createConnection({ ...(opts as net.TcpNetConnectOpts), host: target.hostname, port: target.port }, callback)) as typeof net.createConnection;
  return agent;
}

/** Shape of the SDK's exception (TencentCloudSDKHttpException), read structurally. */
interface SdkError {
  message?: unknown;
  code?: unknown;
  requestId?: unknown;
  httpCode?: unknown;
  type?: unknown;
  name?: unknown;
}

/**
 * Classifies anything the SDK throws. The SDK wraps transport errors in its own exception and keeps only the
 * message, so transport faults are recognised by node-fetch's message forms; `aborted` tells us our own time-out
 * fired, whatever the message says.
 */
export function classifySdkError(error: unknown, aborted: boolean, timeoutMs: number): TrtcFunctionError {
  if (error instanceof TrtcFunctionError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkError;
  const message = typeof e.message === "string" ? e.message : String(error);
  const requestId = typeof e.requestId === "string" && e.requestId ? e.requestId : undefined;

  if (typeof e.code === "string" && e.code) {
    // TRTC answered with Response.Error: pass its code and RequestId through.
    return new TrtcFunctionError(e.code, message, { requestId, retryable: describeErrorCode(e.code).retryable, cause: error });
  }
  if (aborted || e.type === "request-timeout" || e.type === "body-timeout" || /network timeout|Response timeout/i.test(message)) {
    return new TrtcFunctionError("UpstreamTimeout", `TRTC did not answer within ${timeoutMs} ms`, { cause: error });
  }
  if (typeof e.httpCode === "number") {
    const retryable = e.httpCode >= 500 || e.httpCode === 429 || e.httpCode === 408;
    return new TrtcFunctionError("UpstreamHttpError", `TRTC answered HTTP ${e.httpCode}`, { retryable, cause: error });
  }
  if (e.type === "invalid-json" || /invalid json|Unexpected token|Unexpected end of JSON/i.test(message) || error instanceof TypeError) {
    // Not JSON, cut short, or JSON without the {"Response": {...}} envelope (the SDK then fails on data.Response).
    return new TrtcFunctionError("UpstreamInvalidResponse", "TRTC answered with a body that is not its JSON envelope", { cause: error });
  }
  if (/request to .* failed|socket hang up|ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EPIPE|ETIMEDOUT|EHOSTUNREACH|Premature close/i.test(message) || e.type === "system") {
    return new TrtcFunctionError("UpstreamNetworkError", `The connection to TRTC failed: ${networkReason(message)}`, { cause: error });
  }
  return new TrtcFunctionError("UpstreamInvalidResponse", `Unexpected failure calling TRTC: ${message.slice(0, 200)}`, { cause: error });
}

/** The useful tail of node-fetch's "request to <url> failed, reason: <reason>". */
function networkReason(message: string): string {
  const match = /reason: (.*)$/.exec(message);
  return (match ? match[1]! : message).slice(0, 200);
}

/** Builds the SDK client for this container. Call once; the returned API is safe for concurrent use. */
export function createTrtcApi(config: FunctionConfig, credentials: CredentialSource): TrtcApi {
  const client = new Client({
    credential: credentials,
    region: config.region,
    profile: {
      signMethod: "TC3-HMAC-SHA256",
      language: "en-US",
      httpProfile: {
        endpoint: config.endpoint,
        protocol: config.target.protocol === "https:" ? "https://" : "http://",
        reqMethod: "POST",
        // node-fetch's own per-request timer enforces a full attempt; an attempt cut shorter by the invocation's
        // deadline gets an AbortSignal as well (below). Seconds, fractions allowed.
        reqTimeout: config.attemptTimeoutMs / 1000,
        agent: createAgent(config),
      },
    },
  });

  return {
    async describeStreamIngest(params, { traceId, timeoutMs }) {
      // Fail on missing credentials here, classified, rather than inside the SDK's signer.
      credentials.current();
      // A signal costs a controller, a timer and an abort listener per request, so only attempts that the deadline
      // cuts shorter than the client-wide timeout get one.
      const controller = timeoutMs < config.attemptTimeoutMs ? new AbortController() : undefined;
      const timer = controller && setTimeout(() => controller.abort(), timeoutMs);
      let response: Record<string, unknown>;
      try {
        response = await client.request("DescribeStreamIngest", params, {
          signal: controller?.signal,
          headers: { "X-TC-TraceId": traceId },
        });
      } catch (error) {
        const failure = classifySdkError(error, controller?.signal.aborted ?? false, timeoutMs);
        // Temporary keys expired mid-invocation: the retry must sign with the rotated ones.
        if (failure.code === "AuthFailure.TokenFailure") credentials.refresh();
        throw failure;
      } finally {
        if (timer) clearTimeout(timer);
      }
      const status = response?.Status;
      const requestId = typeof response?.RequestId === "string" ? response.RequestId : "";
      if (typeof status !== "string" || status === "") {
        throw new TrtcFunctionError("UpstreamInvalidResponse", "TRTC's answer has no Status", { requestId });
      }
      return { status, requestId };
    },
  };
}

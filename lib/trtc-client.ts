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
import { TrtcFunctionError } from "./errors";

export interface DescribeOutcome {
  status: string;
  requestId: string;
}

export interface CallOptions {
  /** Sent as X-TC-TraceId so one call can be followed from the caller through TRTC. */
  traceId: string;
  /** Ends the call when aborted: an attempt's bound shorter than {@link TrtcApi.callTimeoutMs} (lib/deadline.ts withSignal). */
  signal?: AbortSignal;
}

/** The upstream API as the rest of the function sees it: one typed call. */
export interface TrtcApi {
  /** Every call ends within this by itself, answered or UpstreamTimeout (the SDK's reqTimeout, which the transport honours). */
  readonly callTimeoutMs: number;
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
}

/**
 * Classifies anything the SDK throws. The SDK throws TRTC's error envelopes with their code, message and RequestId,
 * and the transport's own verdicts (timeouts, network faults, sizes, HTTP errors) the same way with no RequestId
 * (lib/transport/sdk-fetch.ts); both keep their code here. Anything else is a failure of the SDK itself, whose message
 * is never passed on. Retryability is the catalogue's (lib/errors.ts), for every code.
 */
export function classifySdkError(error: unknown): TrtcFunctionError {
  if (error instanceof TrtcFunctionError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkError;
  if (typeof e.code === "string" && e.code) {
    const requestId = typeof e.requestId === "string" && e.requestId ? e.requestId : undefined;
    const message = typeof e.message === "string" && e.message ? e.message : `TRTC answered ${e.code}`;
    return new TrtcFunctionError(e.code, message, { requestId, cause: error });
  }
  return new TrtcFunctionError("UpstreamInvalidResponse", "TRTC's answer could not be read", { cause: error });
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
        // The SDK passes this to the transport (lib/transport/fetch.ts) with every request: an attempt's full bound.
        // An attempt the deadline cuts shorter also gets a signal. Seconds, fractions allowed.
        reqTimeout: config.attemptTimeoutMs / 1000,
        agent: createAgent(config),
      },
    },
  });

  return {
    callTimeoutMs: config.attemptTimeoutMs,
    async describeStreamIngest(params, { traceId, signal }) {
      // Fail on missing credentials here, classified, rather than inside the SDK's signer.
      credentials.current();
      let response: Record<string, unknown>;
      try {
        // The SDK documents `signal` (RequestOptions) and hands it to fetch untouched (abstract_client.js
        // doRequestWithSign3 → http_connection.js → fetch.js), with `timeout` from reqTimeout beside it.
        response = await client.request("DescribeStreamIngest", params, { signal, headers: { "X-TC-TraceId": traceId } });
      } catch (error) {
        const failure = classifySdkError(error);
        // Temporary keys expired mid-invocation: the retry must sign with the rotated ones.
        if (failure.code === "AuthFailure.TokenFailure") credentials.refresh();
        throw failure;
      }
      const status = response?.Status;
      const requestId = typeof response?.RequestId === "string" ? response.RequestId : "";
      // The transport checked the fields' sizes; the SDK returns Response whatever it holds.
      if (typeof status !== "string" || status === "") {
        throw new TrtcFunctionError("UpstreamInvalidResponse", "TRTC's answer has no Status", { requestId });
      }
      return { status, requestId };
    },
  };
}

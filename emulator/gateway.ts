/**
 * The API gateway: one request through the stages of the real service, in its order —
 * network faults → auth/signature → version/action/region → rate limit → injected API faults → parameters → action.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ACTIONS, type ActionHandler } from "./actions";
import { ApiError, apiErrors } from "./api-error";
import { authenticate, type Caller } from "./auth";
import type { CredentialStore } from "./credentials";
import { errorResponse, sendEnvelope } from "./envelope";
import { applyNetworkFault, NETWORK_FAULTS, type FaultStore } from "./faults";
import { decodeParams, rejectUnknown } from "./params";
import type { SlidingWindowLimiter } from "./rate-limit";
import type { StatsRecorder } from "./stats";
import type { TaskStore } from "./tasks";
import type { RequestLogEntry } from "./types";

export const API_VERSION = "2019-07-22";
/**
 * The regions TRTC's stream-ingest pages list: the API page (ap-bangkok, ap-jakarta, ap-mumbai, ap-singapore), the
 * international site's newer pages (ap-guangzhou, ap-tokyo) and the China site's (ap-beijing, ap-shanghai,
 * ap-guangzhou, ap-chongqing). Any other region is UnsupportedRegion, as TRTC answers where the action is not served.
 */
export const SUPPORTED_REGIONS: readonly string[] = [
  "ap-bangkok",
  "ap-jakarta",
  "ap-mumbai",
  "ap-singapore",
  "ap-guangzhou",
  "ap-tokyo",
  "ap-beijing",
  "ap-shanghai",
  "ap-chongqing",
];

export interface GatewayState {
  credentials: CredentialStore;
  tasks: TaskStore;
  faults: FaultStore;
  limiter: SlidingWindowLimiter;
  stats: StatsRecorder;
  /** Aborted when the emulator closes, so that injected latency does not outlive it. */
  closing: AbortSignal;
  /** Request logging; undefined = quiet. */
  log?: (entry: RequestLogEntry) => void;
}

export interface RequestBody {
  bytes: Buffer;
  /** Over the 10 MB the real API takes: answered with RequestSizeLimitExceeded. */
  tooLarge: boolean;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function routeAction(req: IncomingMessage): ActionHandler {
  const version = headerValue(req, "x-tc-version");
  if (!version) throw apiErrors.missingParameter("Version");
  if (version !== API_VERSION) throw apiErrors.noSuchVersion(version);
  const action = headerValue(req, "x-tc-action");
  if (!action) throw apiErrors.missingParameter("Action");
  const handler = ACTIONS.get(action);
  if (!handler) throw apiErrors.invalidAction(action);
  const region = headerValue(req, "x-tc-region");
  if (!region || !SUPPORTED_REGIONS.includes(region)) throw apiErrors.unsupportedRegion(region);
  return handler;
}

/** The real limiter first (throttled requests take no quota), then injected throttling. */
function admit(state: GatewayState, caller: Caller, action: string, now: number): void {
  const key = `${caller.account}\u0000${action}`;
  if (!state.limiter.allows(key, now)) {
    state.stats.throttled();
    throw apiErrors.requestLimitExceeded(state.limiter.inWindow(key, now) + 1, state.limiter.limit);
  }
  if (state.faults.take(action, ["throttle"], now)) {
    state.stats.throttled();
    throw apiErrors.requestLimitExceeded(state.limiter.limit + 1, state.limiter.limit);
  }
  state.stats.window(state.limiter.record(key, now));
}

export async function handleApiRequest(state: GatewayState, req: IncomingMessage, res: ServerResponse, requestBody: RequestBody): Promise<void> {
  const arrivedAt = Date.now();
  const action = headerValue(req, "x-tc-action") ?? "";
  const traceId = headerValue(req, "x-tc-traceid");
  const requestId = randomUUID();
  const entry: RequestLogEntry = { at: arrivedAt, action, traceId, requestId, token: req.headers["x-tc-token"] !== undefined };
  state.stats.request(action, arrivedAt);
  state.stats.log(entry);

  const latency = state.faults.take(action, ["latency"], arrivedAt);
  if (latency?.type === "latency") {
    try {
      await sleep(latency.ms, undefined, { signal: state.closing });
    } catch {
      return; // the emulator is closing
    }
  }
  const networkFault = state.faults.take(action, NETWORK_FAULTS);
  if (networkFault) {
    entry.fault = networkFault.type;
    state.log?.(entry);
    applyNetworkFault(networkFault, res, requestId);
    return;
  }

  const now = Date.now();
  const method = req.method ?? "";
  const body = requestBody.bytes;
  const [path, query = ""] = (req.url ?? "/").split(/\?(.*)/s, 2);
  const params = decodeParams(method, headerValue(req, "content-type"), query, body);
  if (!(params instanceof ApiError)) {
    entry.sdkAppId = params.SdkAppId;
    entry.taskId = params.TaskId;
  }

  let response: Record<string, unknown>;
  try {
    if (method !== "GET" && method !== "POST") {
      throw new ApiError("UnsupportedProtocol", "HTTP(S) request protocol error; only GET and POST requests are supported.");
    }
    if (requestBody.tooLarge) throw new ApiError("RequestSizeLimitExceeded", "The request package is too large (over 10 MB).");
    const caller = authenticate({ method, path, query, headers: req.headers, body }, state.credentials, now);
    const handler = routeAction(req);
    admit(state, caller, action, now);
    const injected = state.faults.take(action, ["api-error"], now);
    if (injected?.type === "api-error") throw new ApiError(injected.code, injected.message ?? `Injected fault: ${injected.code}.`);
    if (params instanceof ApiError) throw params;
    rejectUnknown(params, handler.params);
    response = handler.handle({ params, fromQuery: method === "GET", tasks: state.tasks, now });
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError("InternalError", "An internal error occurred.");
    if (!(error instanceof ApiError)) console.error("[trtc-emulator] unexpected error:", error);
    response = errorResponse(apiError);
    entry.code = apiError.code;
  }
  if (typeof response.Status === "string") entry.status = response.Status;
  state.log?.(entry);
  sendEnvelope(res, { ...response, RequestId: requestId }, traceId);
}

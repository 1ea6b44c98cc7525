/**
 * The pure core: ask TRTC for one task's status within an invocation's time budget and shape the contract's result.
 * It never throws for anything TRTC or the network does; those become failure results.
 */
import type { FunctionConfig } from "./config";
import { TrtcFunctionError, type ErrorPayload } from "./errors";
import { isValidSdkAppId, isValidTaskId } from "./params";
import type { TaskParams } from "./params";
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from "./retry";
import type { Relay } from "./relay/types";
import type { TrtcApi } from "./trtc-client";

export interface SuccessResult {
  ok: true;
  sdkAppId: number;
  taskId: string;
  status: string;
  running: boolean;
  region: string;
  requestId: string;
  checkedAt: string;
  /** Present (true) when the status was reused from the cache; checkedAt and requestId are then the original ones. */
  cached?: true;
  /** The relay's story from TRTC's callbacks, for a task with a record (lib/relay/story.ts). */
  relay?: Relay;
}

export interface FailureResult {
  ok: false;
  /** null when the caller did not send a valid one. */
  sdkAppId: number | null;
  taskId: string | null;
  error: ErrorPayload;
  /** TRTC's RequestId where TRTC answered, else null. */
  requestId: string | null;
  relay?: Relay;
}

export type TaskResult = SuccessResult | FailureResult;

/** What one query cost, for the log line and for callers that budget requests (batches). */
export interface QueryStats {
  /** Upstream requests made. */
  attempts: number;
  upstreamMs: number;
  /** Requests TRTC answered with RequestLimitExceeded. */
  throttled?: number;
  /** Tasks answered from the status cache. */
  cacheHits?: number;
  /** Time spent waiting for a request start (the rate budget). */
  pacerWaitMs?: number;
  /** The shared store: answered every call ("used"), or failed at least once and the container's own took over. */
  redis?: "used" | "fallback";
}

/** A cost of nothing yet: the start of a sum (batches, wait polls, the fleet) or a failure that asked nothing. */
export const emptyStats = (): QueryStats => ({ attempts: 0, upstreamMs: 0, throttled: 0, cacheHits: 0, pacerWaitMs: 0 });

/** Adds `one` query's cost into `total` (batches, wait polls). */
export function addStats(total: QueryStats, one: QueryStats): QueryStats {
  total.attempts += one.attempts;
  total.upstreamMs += one.upstreamMs;
  total.throttled = (total.throttled ?? 0) + (one.throttled ?? 0);
  total.cacheHits = (total.cacheHits ?? 0) + (one.cacheHits ?? 0);
  total.pacerWaitMs = (total.pacerWaitMs ?? 0) + (one.pacerWaitMs ?? 0);
  if (one.redis && total.redis !== "fallback") total.redis = one.redis;
  return total;
}

export interface QueryDeps {
  api: TrtcApi;
  config: Pick<FunctionConfig, "region" | "attemptTimeoutMs" | "maxAttempts">;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Called before each upstream attempt (the fleet, lib/fleet/fleet.ts, paces every request with it). Resolving to
   * false means no request may start before the deadline: the query ends with the last failure, or UpstreamTimeout.
   */
  beforeAttempt?: () => boolean | void | Promise<boolean | void>;
}

/** The failure payload. Parameters are echoed only when they satisfy the rules: never a hostile value back. */
export function failureResult(error: TrtcFunctionError, params: Partial<Record<keyof TaskParams, unknown>> = {}): FailureResult {
  return {
    ok: false,
    sdkAppId: isValidSdkAppId(params.SdkAppId) ? params.SdkAppId : null,
    taskId: isValidTaskId(params.TaskId) ? params.TaskId : null,
    error: error.toPayload(),
    requestId: error.requestId ?? null,
  };
}

/** Thrown inside an attempt that the pacer did not let start. */
const NOT_STARTED = Symbol("not started");

export function policyFor(config: QueryDeps["config"]): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, attemptTimeoutMs: config.attemptTimeoutMs, maxAttempts: config.maxAttempts };
}

/**
 * Queries one task. Retries retryable failures with backoff inside the deadline; an expired temporary token
 * (AuthFailure.TokenFailure) is retried once, because the credential source re-reads the rotated keys.
 */
export async function queryTask(
  deps: QueryDeps,
  params: TaskParams,
  invocation: { requestId: string; deadline: number },
): Promise<{ result: TaskResult; stats: QueryStats }> {
  const now = deps.now ?? Date.now;
  let upstreamMs = 0;
  let throttled = 0;
  let tokenRetried = false;
  let lastFailure: unknown;
  /** When the last attempt was sent: the contract's checkedAt is when TRTC was asked, not when it answered. */
  let askedAt = 0;

  const outcome = await withRetries(invocation.deadline, policyFor(deps.config), {
    attempt: async (_attempt, timeoutMs) => {
      if ((await deps.beforeAttempt?.()) === false) throw NOT_STARTED;
      const started = now();
      askedAt = started;
      try {
        return await deps.api.describeStreamIngest(params, { traceId: invocation.requestId, timeoutMs: Math.max(1, Math.min(timeoutMs, invocation.deadline - now())) });
      } finally {
        upstreamMs += now() - started;
      }
    },
    classify: (error) => {
      if (error === NOT_STARTED) return { retryable: false, throttled: false };
      lastFailure = error;
      const e = error instanceof TrtcFunctionError ? error : new TrtcFunctionError("InternalError.Function", String(error));
      if (e.code === "AuthFailure.TokenFailure" && !tokenRetried) {
        tokenRetried = true;
        return { retryable: true, throttled: false };
      }
      const isThrottled = e.code.startsWith("RequestLimitExceeded");
      if (isThrottled) throttled++;
      return { retryable: e.retryable && !e.code.startsWith("InvalidConfiguration"), throttled: isThrottled };
    },
    now,
    sleep: deps.sleep,
    random: deps.random,
  });

  const notStarted = outcome.error === NOT_STARTED;
  const stats: QueryStats = { attempts: outcome.attempts - (notStarted ? 1 : 0), upstreamMs, throttled };
  if (outcome.value) {
    const { status, requestId } = outcome.value;
    return {
      result: {
        ok: true,
        sdkAppId: params.SdkAppId,
        taskId: params.TaskId,
        status,
        running: status === "InProgress",
        region: deps.config.region,
        requestId,
        checkedAt: new Date(askedAt).toISOString(),
      },
      stats,
    };
  }
  if (notStarted) {
    outcome.error =
      lastFailure ?? new TrtcFunctionError("UpstreamTimeout", "Not started: the rate limit left no request slot before the invocation's deadline");
  }
  const error =
    outcome.error instanceof TrtcFunctionError
      ? outcome.error
      : new TrtcFunctionError("InternalError.Function", "Unexpected failure while querying TRTC", { cause: outcome.error });
  return { result: failureResult(error, params), stats };
}

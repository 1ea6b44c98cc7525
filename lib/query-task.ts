/**
 * The pure core: ask TRTC for one task's status within an invocation's deadline and shape the contract's result.
 * It never throws for anything TRTC or the network does; those become failure results.
 */
import type { FunctionConfig } from "./config";
import type { Deadline } from "./deadline";
import { TrtcFunctionError, type ErrorPayload } from "./errors";
import { isValidSdkAppId, isValidTaskId, type TaskParams } from "./params";
import type { CachedStatus, Relay } from "./relay/types";
import { DEFAULT_RETRY_POLICY, withRetries, type RetryOutcome, type RetryPolicy } from "./retry";
import type { DescribeOutcome, TrtcApi } from "./trtc-client";

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
  random?: () => number;
  /**
   * Called before each upstream attempt (the fleet, lib/fleet/fleet.ts, paces every request with it). Resolving to
   * false means no request may start before the deadline: the query ends with the last failure, or UpstreamTimeout.
   */
  beforeAttempt?: () => boolean | void | Promise<boolean | void>;
}

/** What a query needs of its invocation (lib/platform.ts): the id to trace it by and its clock. */
export interface QueryInvocation {
  requestId: string;
  deadline: Deadline;
}

/** A status reused (the cache, a relay's record): `cached`, with the original requestId and checkedAt. */
export function cachedResult(entry: CachedStatus, params: TaskParams, region: string): SuccessResult {
  return {
    ok: true,
    sdkAppId: params.SdkAppId,
    taskId: params.TaskId,
    status: entry.status,
    running: entry.status === "InProgress",
    region,
    requestId: entry.requestId,
    checkedAt: new Date(entry.checkedAt).toISOString(),
    cached: true,
  };
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

export function policyFor(config: QueryDeps["config"]): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, attemptTimeoutMs: config.attemptTimeoutMs, maxAttempts: config.maxAttempts };
}

/**
 * Whether a failed attempt is tried again, and whether it was throttled. Retryability is the catalogue's
 * (lib/errors.ts), carried by the error; the one exception is an expired temporary token (AuthFailure.TokenFailure),
 * retried once, because the credential source re-reads the rotated keys before the retry.
 */
function failureClassifier() {
  let tokenRetried = false;
  let throttled = 0;
  const classify = (error: unknown) => {
    const e = error instanceof TrtcFunctionError ? error : new TrtcFunctionError("InternalError.Function", String(error));
    if (e.code === "AuthFailure.TokenFailure" && !tokenRetried) {
      tokenRetried = true;
      return { retryable: true, throttled: false };
    }
    const isThrottled = e.code.startsWith("RequestLimitExceeded");
    if (isThrottled) throttled++;
    return { retryable: e.retryable, throttled: isThrottled };
  };
  return { classify, throttled: () => throttled };
}

/**
 * One call to TRTC within `timeoutMs`. The API ends every call within its callTimeoutMs by itself, so only a bound
 * the deadline cut shorter needs an AbortSignal: making one costs more than the rest of the function's own work in
 * a warm invocation on Node 20 (docs/performance.md).
 */
function askTrtc(api: TrtcApi, params: TaskParams, call: { traceId: string; timeoutMs: number; deadline: Deadline }): Promise<DescribeOutcome> {
  const ask = (signal?: AbortSignal) => api.describeStreamIngest(params, { traceId: call.traceId, signal });
  return call.timeoutMs < api.callTimeoutMs ? call.deadline.withSignal(call.timeoutMs, ask) : ask();
}

/** Queries one task: retries retryable failures with backoff inside the invocation's deadline. */
export async function queryTask(deps: QueryDeps, params: TaskParams, invocation: QueryInvocation): Promise<{ result: TaskResult; stats: QueryStats }> {
  const { deadline, requestId: traceId } = invocation;
  const failures = failureClassifier();
  let upstreamMs = 0;
  /** When the last attempt was sent: the contract's checkedAt is when TRTC was asked, not when it answered. */
  let askedAt = 0;

  const outcome = await withRetries(deadline, policyFor(deps.config), {
    beforeAttempt: deps.beforeAttempt,
    attempt: async (_attempt, timeoutMs) => {
      askedAt = deadline.now();
      try {
        return await askTrtc(deps.api, params, { traceId, timeoutMs, deadline });
      } finally {
        upstreamMs += deadline.now() - askedAt;
      }
    },
    classify: failures.classify,
    random: deps.random,
  });

  const stats: QueryStats = { attempts: outcome.attempts, upstreamMs, throttled: failures.throttled() };
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
  return { result: failureResult(queryFailure(outcome), params), stats };
}

/** The failure a query answers with: the last attempt's, or UpstreamTimeout when the pacer let none start. */
function queryFailure(outcome: RetryOutcome<unknown>): TrtcFunctionError {
  if (outcome.error instanceof TrtcFunctionError) return outcome.error;
  if (outcome.notStarted && outcome.error === undefined) {
    return new TrtcFunctionError("UpstreamTimeout", "Not started: the rate limit left no request slot before the invocation's deadline");
  }
  return new TrtcFunctionError("InternalError.Function", "Unexpected failure while querying TRTC", { cause: outcome.error });
}

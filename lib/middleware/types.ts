import type { MiddlewareObj, Request } from "@middy/core";
import type { BatchSummary } from "../batch";
import type { Context } from "aws-lambda";
import type { EventKind } from "../events";
import type { Invocation } from "../platform";
import type { QueryStats, TaskResult } from "../query-task";

/** What the middlewares of one invocation share, kept on the context under `invocation`. */
export interface InvocationState extends Invocation {
  /** The recognised event kind; undefined when the event is none of the four. */
  kind: EventKind | undefined;
  /** The event as the platform sent it (request.event is replaced by the parameters). */
  rawEvent: unknown;
  /** Parameters as picked from the event, before validation (for the failure payload). */
  params?: Record<string, unknown>;
  /** The contract result, once there is one. */
  result?: TaskResult;
  stats?: QueryStats;
  /** For a batch query (result stays unset): its summary and its failure codes, for the log line. */
  batch?: BatchSummary;
  batchCodes?: Record<string, number>;
}

/**
 * The platform's context plus our invocation state. Typed as AWS's Context because middy requires it; at run time
 * SCF's context has other members (request_id, time_limit_in_ms) and platform.ts reads both defensively.
 */
export interface FunctionContext extends Context {
  invocation: InvocationState;
}

export type FunctionRequest = Request<unknown, unknown, Error, FunctionContext>;
export type FunctionMiddleware = MiddlewareObj<unknown, unknown, Error, FunctionContext>;

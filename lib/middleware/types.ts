import type { MiddlewareObj, Request } from "@middy/core";
import type { Context } from "aws-lambda";
import type { Invocation } from "../platform";

/**
 * The platform's context plus the invocation's facts, set once by the edge (lib/middleware/edge.ts) before the
 * handler runs and never changed. Typed as AWS's Context because middy requires it; at run time SCF's context has
 * other members (request_id, time_limit_in_ms) and platform.ts reads both defensively.
 */
export interface FunctionContext extends Context {
  invocation: Invocation;
}

export type FunctionRequest<TInternal extends Record<string, unknown> = {}> = Request<unknown, unknown, Error, FunctionContext, TInternal>;
export type FunctionMiddleware<TInternal extends Record<string, unknown> = {}> = MiddlewareObj<unknown, unknown, Error, FunctionContext, TInternal>;

import type { MiddlewareObj, Request } from "@middy/core";
import type { Context } from "aws-lambda";
import type { EventKind } from "../events";
import type { RawParams } from "../input";
import type { Invocation } from "../platform";

/**
 * The per-invocation state, in one place: `context.invocation`. The facts are set once by invocationContext (the
 * outermost middleware) and never change; `params` is set once by the input middleware. Results are not state: the
 * handler returns its outcome (see lib/describe-stream-ingest.ts) and the middlewares pass it outwards.
 */
export interface InvocationState extends Readonly<Invocation> {
  /** The recognised event kind; undefined when it is none of them (not an object, or a non-HTTP trigger event: events.ts). */
  readonly kind: EventKind | undefined;
  /** The event as the platform sent it (request.event becomes the input step's reading). */
  readonly rawEvent: unknown;
  /** SdkAppId and TaskId as picked from the event, before validation: what a failure payload may echo. */
  params?: RawParams;
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

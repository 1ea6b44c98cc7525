/**
 * The function's one middleware, its edge with the platform. Before the handler: the invocation's facts (platform,
 * request id, deadline: lib/platform.ts), the event kind, where the answer goes, and the input step's reading of
 * the event, which becomes the handler's event. After it: the handler's {@link Outcome} rendered once
 * (lib/render.ts) and logged once (lib/log-line.ts). The handler never throws (lib/answer.ts), so there is no
 * onError path: the only throw here is a workflow error rendered on purpose, which middy passes to the caller.
 */
import type { Runtime } from "../container";
import { recogniseEvent, isHttpKind, isObject, type EventKind } from "../events";
import { httpReplyFor } from "../http-response";
import { readInput, type Reading } from "../input";
import { logLineOf } from "../log-line";
import { asFunctionError, type Outcome } from "../outcome";
import { systemClock, type Clock } from "../deadline";
import { invocationFromContext } from "../platform";
import { render, type ReplyTo } from "../render";
import type { FunctionContext, FunctionMiddleware, FunctionRequest } from "./types";

export interface EdgeOptions {
  runtime: Runtime;
  /** The invocation's clock (tests inject one). */
  clock?: Clock;
}

/** What the edge keeps between its two hooks (middy's per-request `internal`). */
type EdgeState = { kind: EventKind | undefined; replyTo: ReplyTo };

/** HTTP events get an HTTP response; anything else (an unrecognised event too) came from a direct caller. */
function replyToFor(kind: EventKind | undefined, event: unknown, runtime: Runtime): ReplyTo {
  const config = runtime.ok ? runtime.config : undefined;
  if (kind !== undefined && isHttpKind(kind)) return { kind: "http", ...httpReplyFor(event, config?.corsOrigins) };
  const override = isObject(event) ? event.throwOnError : undefined;
  return { kind: "direct", throwOnError: typeof override === "boolean" ? override : (config?.throwOnError ?? false) };
}

function read(kind: EventKind | undefined, event: unknown, runtime: Runtime): Reading {
  const config = runtime.ok ? runtime.config : undefined;
  try {
    return readInput(kind, event, { allowed: config?.allowedSdkAppIds, preflight: Boolean(config?.corsOrigins) });
  } catch (error) {
    return { kind: "refused", error: asFunctionError(error), params: {}, callback: false };
  }
}

export function edge({ runtime, clock = systemClock }: EdgeOptions): FunctionMiddleware<EdgeState> {
  return {
    before: (request: FunctionRequest<EdgeState>) => {
      // SCF and local callers may pass no context at all.
      if (typeof request.context !== "object" || request.context === null) request.context = {} as FunctionContext;
      request.context.invocation = invocationFromContext(request.context, clock);
      const kind = recogniseEvent(request.event);
      request.internal = { kind, replyTo: replyToFor(kind, request.event, runtime) };
      request.event = read(kind, request.event, runtime);
    },
    after: (request: FunctionRequest<EdgeState>) => {
      const outcome = request.response as Outcome;
      const { kind, replyTo } = request.internal;
      const line = logLineOf(outcome, request.context.invocation, kind, clock.now());
      runtime.logger.log(line.level, line.message, line.fields);
      const rendered = render(outcome, replyTo);
      if (rendered.thrown) throw rendered.thrown;
      request.response = rendered.value;
    },
  };
}

/**
 * Outermost middleware: derives the invocation (platform, request id, deadline, event kind) from the platform's
 * context and event, once, as `context.invocation` for every middleware and the handler.
 */
import { systemClock, type Clock } from "../deadline";
import { recogniseEvent } from "../events";
import { invocationFromContext } from "../platform";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface InvocationContextOptions {
  /** The invocation's clock (its deadline's): injectable for tests. */
  clock?: Clock;
}

export function invocationContext({ clock = systemClock }: InvocationContextOptions = {}): FunctionMiddleware {
  return {
    before: (request: FunctionRequest) => {
      // SCF and local callers may pass no context at all.
      if (typeof request.context !== "object" || request.context === null) request.context = {} as FunctionRequest["context"];
      request.context.invocation = {
        ...invocationFromContext(request.context, clock),
        kind: recogniseEvent(request.event),
        rawEvent: request.event,
      };
    },
  };
}

/**
 * Runs the input step (lib/input.ts) on the event as the platform sent it, once: the handler then receives its
 * reading (a single task or a batch) as its event, and a request the step refuses fails here, before credentials,
 * configuration or anything upstream.
 */
import { readInput } from "../input";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface InputOptions {
  /** TRTC_ALLOWED_SDK_APP_IDS; undefined allows any. A function so a configuration error can leave it unset. */
  allowed: () => ReadonlySet<number> | undefined;
}

export function input({ allowed }: InputOptions): FunctionMiddleware {
  return {
    before: (request: FunctionRequest) => {
      const invocation = request.context.invocation;
      const reading = readInput(invocation.kind, invocation.rawEvent, { allowed: allowed() });
      invocation.params = reading.params;
      if (!reading.ok) throw reading.error;
      request.event = reading.input;
    },
  };
}

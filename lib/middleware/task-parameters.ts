/**
 * Reads SdkAppId and TaskId out of whatever event arrived and makes them the event the rest of the stack sees:
 * `{ SdkAppId, TaskId }` as picked and normalised, ready for the schema validator; or, when the event names
 * TaskIds or Tasks, a batch query (lib/batch.ts), which the single-task middlewares let pass (see singleTaskOnly).
 * Refuses HTTP methods other than GET and POST, and bodies that are too large or not JSON objects.
 */
import { readBatch, isBatchQuery } from "../batch";
import { TrtcFunctionError } from "../errors";
import { httpRequestOf, isHttpKind, parameterSources } from "../events";
import { pickTaskParams } from "../params";
import type { FunctionMiddleware, FunctionRequest } from "./types";

const ALLOWED_METHODS = new Set(["GET", "POST"]);

export function taskParameters(): FunctionMiddleware {
  return {
    before: (request: FunctionRequest) => {
      const invocation = request.context.invocation;
      const { kind, rawEvent } = invocation;
      if (kind && isHttpKind(kind)) {
        const { method } = httpRequestOf(kind, rawEvent as Record<string, unknown>);
        if (!ALLOWED_METHODS.has(method)) {
          throw new TrtcFunctionError("InvalidRequest.Method", `Method ${method.slice(0, 16)} is not allowed; use GET or POST`);
        }
      }
      const sources = parameterSources(kind, rawEvent);
      const params = pickTaskParams(sources);
      invocation.params = params;
      request.event = readBatch(sources, { direct: kind === "direct", single: params }) ?? params;
    },
  };
}

/** Applies a single-task middleware (the schema validator, the allow-list) to single queries only. */
export function singleTaskOnly(middleware: FunctionMiddleware): FunctionMiddleware {
  const guard = (hook: FunctionMiddleware["before"]) =>
    hook && ((request: FunctionRequest) => (isBatchQuery(request.event) ? undefined : hook(request)));
  return { before: guard(middleware.before), after: guard(middleware.after), onError: guard(middleware.onError) };
}

/**
 * For workflow engines (Step Functions, ASW): when throwOnError is on, a failed direct invocation throws an Error
 * whose name is the most specific catalogued code of the same retryability (for `ErrorEquals`, which matches whole
 * names: the code itself, or for a sub-code the catalogue does not list, its listed family) and whose message is the
 * failure payload as JSON, exact code included (for `Catch` with a ResultPath). HTTP events always get an HTTP
 * response instead.
 */
import { workflowErrorName } from "../errors";
import { isHttpKind, isObject } from "../events";
import type { FailureResult, TaskResult } from "../query-task";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export class WorkflowError extends Error {
  constructor(readonly result: FailureResult) {
    super(JSON.stringify(result));
    this.name = workflowErrorName(result.error.code, result.error.retryable);
  }
}

export interface WorkflowErrorsOptions {
  /** The deployment's default (TRTC_THROW_ON_ERROR). */
  throwOnError: () => boolean;
}

function wantsThrow(request: FunctionRequest, fallback: boolean): boolean {
  const invocation = request.context.invocation;
  // HTTP events always get an HTTP response; anything else (an unrecognised event too) came from a direct caller.
  if (!invocation || (invocation.kind && isHttpKind(invocation.kind))) return false;
  const raw = invocation.rawEvent;
  const override = isObject(raw) ? raw.throwOnError : undefined;
  return typeof override === "boolean" ? override : fallback;
}

export function workflowErrors({ throwOnError }: WorkflowErrorsOptions): FunctionMiddleware {
  const raise = (request: FunctionRequest) => {
    const result = request.response as TaskResult | undefined;
    // A batch that ran is never thrown: one bad task must not hide the others' answers.
    if (!result || result.ok !== false || !("error" in result) || !wantsThrow(request, throwOnError())) return;
    // Set, not thrown: middy rethrows request.error once every onError middleware (the log line among them) ran.
    request.error = new WorkflowError(result);
    request.response = undefined;
  };
  return {
    after: (request) => {
      raise(request);
      if (request.error instanceof WorkflowError) throw request.error;
    },
    onError: (request) => {
      if (request.error instanceof WorkflowError) return;
      raise(request);
    },
  };
}

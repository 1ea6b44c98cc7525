/**
 * Turns anything thrown before or by the handler into the contract's failure result, so no caller ever sees a
 * stack trace: our own errors keep their code, anything else is InternalError.Function (and is logged with its
 * stack, for the operator). The failure echoes the parameters the input step picked, where they are valid.
 */
import type { Outcome } from "../describe-stream-ingest";
import { TrtcFunctionError } from "../errors";
import type { Logger } from "../logger";
import { emptyStats, failureResult } from "../query-task";
import type { FunctionMiddleware, FunctionRequest } from "./types";
import { WorkflowError } from "./workflow-errors";

export function toFunctionError(error: unknown): TrtcFunctionError {
  if (error instanceof TrtcFunctionError) return error;
  return new TrtcFunctionError("InternalError.Function", "The function failed unexpectedly", { cause: error });
}

export interface ClassifyErrorsOptions {
  logger: Logger;
}

export function classifyErrors({ logger }: ClassifyErrorsOptions): FunctionMiddleware {
  return {
    onError: (request: FunctionRequest) => {
      if (request.response !== undefined || request.error instanceof WorkflowError) return;
      const error = toFunctionError(request.error);
      if (error.code === "InternalError.Function") {
        logger.log("error", "Unexpected error", {
          requestId: request.context.invocation?.requestId,
          error: request.error instanceof Error ? (request.error.stack ?? request.error.message) : String(request.error),
        });
      }
      const outcome: Outcome = { result: failureResult(error, request.context.invocation?.params), stats: emptyStats() };
      request.response = outcome;
    },
  };
}

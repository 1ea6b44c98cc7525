/**
 * Turns anything thrown before or by the handler into the contract's failure result, so no caller ever sees a
 * stack trace: validator errors become MissingParameter/InvalidParameter codes, our own errors keep their code,
 * anything else is InternalError.Function (and is logged with its stack, for the operator).
 */
import { TrtcFunctionError } from "../errors";
import type { Logger } from "../logger";
import { parameterError, type SchemaError } from "../params";
import { failureResult } from "../query-task";
import type { FunctionMiddleware, FunctionRequest } from "./types";
import { WorkflowError } from "./workflow-errors";

interface CausedError extends Error {
  cause?: { package?: string; data?: SchemaError[] };
}

export function toFunctionError(error: unknown): TrtcFunctionError {
  if (error instanceof TrtcFunctionError) return error;
  const cause = (error as CausedError | undefined)?.cause;
  if (cause?.package === "@middy/validator") return parameterError(cause.data);
  if (cause?.package === "@middy/core" && (error as Error).name === "TimeoutError") {
    // middy's last-resort timer (context.getRemainingTimeInMillis): our own budget should have answered first.
    return new TrtcFunctionError("UpstreamTimeout", "The invocation ran out of time", { cause: error });
  }
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
      const invocation = request.context.invocation;
      const result = failureResult(error, invocation?.params);
      if (invocation) invocation.result = result;
      request.response = result;
    },
  };
}

/**
 * Applies a middleware only to API Gateway events. middy's HTTP middlewares (CORS, security headers) would
 * otherwise wrap a direct invocation's plain result into an HTTP response.
 */
import { isHttpKind } from "../events";
import type { FunctionMiddleware, FunctionRequest } from "./types";

type Hook = (request: FunctionRequest) => unknown;

export function whenHttp(middleware: { before?: unknown; after?: unknown; onError?: unknown }): FunctionMiddleware {
  const guard = (hook: unknown): Hook | undefined => {
    if (typeof hook !== "function") return undefined;
    return (request) => {
      const kind = request.context?.invocation?.kind;
      return kind && isHttpKind(kind) ? (hook as Hook)(request) : undefined;
    };
  };
  return { before: guard(middleware.before), after: guard(middleware.after), onError: guard(middleware.onError) };
}

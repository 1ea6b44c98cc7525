/**
 * The headers of every HTTP answer: middy's CORS and security-header middlewares, fed an event they can read and
 * their output finished for the gateway (http-response.ts finishHttpResponse). Why a wrapper rather than the two
 * middlewares as they are:
 * - @middy/http-cors looks for `headers.Origin` or `headers.origin` only; REST and Tencent events keep the client's
 *   spelling (`ORIGIN`) and an ALB in multi-value mode sends `multiValueHeaders` alone. It is given the request's
 *   headers lower-cased, from either map.
 * - A CORS preflight answered by @middy/http-cors's `before` skips every `after` (middy's early response), so the
 *   security headers and the gateway's shape are applied to it here.
 * - @middy/http-security-headers writes an empty `Reporting-Endpoints` (switched off: no report endpoint) and
 *   capitalised names next to our lower-case ones: one case, no empty values.
 * Direct invocations are left alone: they get the plain result object.
 */
import httpCors from "@middy/http-cors";
import httpSecurityHeaders from "@middy/http-security-headers";
import { headersOf, httpMethodOf, isHttpKind, type HttpEventKind } from "../events";
import { finishHttpResponse } from "./http-response";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface HttpHeadersOptions {
  /** Origins a browser may call from (CORS_ALLOWED_ORIGINS); none: CORS off, no Access-Control-* header at all. */
  corsOrigins?: readonly string[];
}

type Hook = (request: any) => unknown;
type View = { event: { httpMethod: string; headers: Record<string, string> }; response: unknown };

export function httpHeaders({ corsOrigins }: HttpHeadersOptions = {}): FunctionMiddleware {
  const cors = corsOrigins?.length
    ? httpCors({
        origins: [...corsOrigins],
        disableBeforePreflightResponse: false,
        // What a browser's preflight for a JSON POST asks for; GET needs no preflight.
        methods: "GET,POST",
        headers: "content-type",
        maxAge: 600,
      })
    : undefined;
  // The option exists at run time (index.js `reportingEndpoints`) but not in the package's types.
  const security = httpSecurityHeaders({ reportingEndpoints: false, poweredBy: false } as Parameters<typeof httpSecurityHeaders>[0]);

  const isHttp = (request: FunctionRequest) => {
    const kind = request.context?.invocation?.kind;
    return kind !== undefined && isHttpKind(kind);
  };

  /** The request as @middy/http-cors reads it: the method, and the headers lower-cased from either map. */
  const corsView = (request: FunctionRequest): View => {
    const { kind, rawEvent } = request.context.invocation;
    const raw = rawEvent as Record<string, unknown>;
    return { event: { httpMethod: httpMethodOf(kind as HttpEventKind, raw), headers: headersOf(raw) }, response: request.response };
  };

  /** After the handler or a failure alike: an HTTP answer, once there is one, gets its headers. */
  const finish = async (request: FunctionRequest) => {
    if (!isHttp(request) || request.response === undefined) return;
    const view = cors ? corsView(request) : ({ response: request.response } as View);
    await (security.after as Hook)(view);
    if (cors) await (cors.after as Hook)(view);
    request.response = finishHttpResponse(request.context.invocation.rawEvent, view.response);
  };

  return {
    before: async (request) => {
      if (!cors || !isHttp(request)) return undefined;
      const view = corsView(request);
      const preflight = await (cors.before as Hook)(view);
      if (preflight === undefined) return undefined;
      await (security.after as Hook)(view);
      return finishHttpResponse(request.context.invocation.rawEvent, view.response);
    },
    after: finish,
    onError: finish,
  };
}

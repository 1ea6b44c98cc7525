import type { ServerResponse } from "node:http";
import type { ApiError } from "./api-error";

/** Every API answer is HTTP 200 application/json with a {"Response":{...,"RequestId"}} envelope. */
export function sendEnvelope(res: ServerResponse, response: Record<string, unknown>, traceId: string | undefined): void {
  sendJson(res, 200, { Response: response }, traceId);
}

export function errorResponse(error: ApiError): Record<string, unknown> {
  return { Error: { Code: error.code, Message: error.message } };
}

export function sendJson(res: ServerResponse, status: number, value: unknown, traceId?: string): void {
  sendRaw(res, status, "application/json", JSON.stringify(value), traceId);
}

export function sendRaw(res: ServerResponse, status: number, contentType: string, body: string, traceId?: string): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string | number> = {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
  };
  if (traceId) headers["X-TC-TraceId"] = traceId;
  res.writeHead(status, headers);
  res.end(body);
}

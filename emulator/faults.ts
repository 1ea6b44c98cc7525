/** Injected faults: rules that match requests by action and wear off by count or time. */
import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { sendRaw } from "./envelope";
import type { FaultRule, FaultSpec, FaultType } from "./types";

/** Faults that happen in the network or a proxy, before the gateway looks at the request. */
export const NETWORK_FAULTS: readonly FaultType[] = [
  "hang",
  "http5xx",
  "reset",
  "malformed-json",
  "truncated-json",
  "non-envelope-json",
  "trickle",
  "mid-body-close",
  "oversized-body",
  "oversized-field",
  "event-stream",
  "redirect",
  "http-error-envelope",
];
const FAULT_TYPES: readonly FaultType[] = ["latency", ...NETWORK_FAULTS, "api-error", "throttle"];

/** The answer a fault starts from, or wraps: DescribeStreamIngest's for a running task. */
const inProgress = (requestId: string): Record<string, unknown> => ({ Status: "InProgress", RequestId: requestId });

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  expiresAt: number;
}

export function validateFaultRule(rule: unknown): asserts rule is FaultRule {
  const r = rule as FaultRule;
  if (!r || typeof r !== "object" || !r.fault || typeof r.fault !== "object") throw new TypeError("a FaultRule needs a fault object");
  const fault = r.fault as FaultSpec;
  if (!FAULT_TYPES.includes(fault.type)) throw new TypeError(`fault.type must be one of ${FAULT_TYPES.join(", ")}`);
  if (fault.type === "latency" && !(Number.isFinite(fault.ms) && fault.ms >= 0)) throw new TypeError("latency needs ms >= 0");
  if (fault.type === "api-error" && (typeof fault.code !== "string" || !fault.code)) throw new TypeError("api-error needs a code");
  if (fault.type === "http5xx" && fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 500 && fault.status <= 599)) {
    throw new TypeError("http5xx status must be 500-599");
  }
  if (fault.type === "trickle" && !(Number.isFinite(fault.intervalMs) && fault.intervalMs > 0)) throw new TypeError("trickle needs intervalMs > 0");
  if (fault.type === "oversized-body" && !(Number.isInteger(fault.bytes) && fault.bytes > 0 && fault.bytes <= 512 * 1024 * 1024)) {
    throw new TypeError("oversized-body needs bytes from 1 to 512 MB");
  }
  if (fault.type === "oversized-field" && !(["Status", "RequestId", "Code", "Message"].includes(fault.field) && Number.isInteger(fault.length) && fault.length > 0)) {
    throw new TypeError("oversized-field needs field Status|RequestId|Code|Message and a length");
  }
  if (fault.type === "http-error-envelope" && (typeof fault.code !== "string" || !fault.code)) throw new TypeError("http-error-envelope needs a code");
  if (r.action !== undefined && typeof r.action !== "string") throw new TypeError("action must be a string");
  if (r.times !== undefined && !(Number.isInteger(r.times) && r.times > 0)) throw new TypeError("times must be a positive integer");
  if (r.durationMs !== undefined && !(Number.isFinite(r.durationMs) && r.durationMs > 0)) throw new TypeError("durationMs must be > 0");
}

export class FaultStore {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule, now = Date.now()): void {
    validateFaultRule(rule);
    this.rules.push({
      rule: { ...rule, fault: { ...rule.fault } },
      remaining: rule.times ?? Infinity,
      expiresAt: rule.durationMs === undefined ? Infinity : now + rule.durationMs,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first live rule of one of these types matching the action; uses up one of its `times`. */
  take(action: string, types: readonly FaultType[], now = Date.now()): FaultSpec | undefined {
    this.rules = this.rules.filter((r) => r.remaining > 0 && r.expiresAt > now);
    const active = this.rules.find(
      (r) => types.includes(r.rule.fault.type) && (r.rule.action === undefined || r.rule.action === action),
    );
    if (!active) return undefined;
    active.remaining -= 1;
    return active.rule.fault;
  }
}

/** Answers (or pointedly does not answer) a request the way a broken network or proxy would. */
export function applyNetworkFault(fault: FaultSpec, res: ServerResponse, requestId: string): void {
  switch (fault.type) {
    case "hang":
      return; // the socket stays open until the client gives up or the emulator closes
    case "reset":
      res.socket?.resetAndDestroy(); // TCP RST: ECONNRESET at the client
      return;
    case "http5xx": {
      const status = fault.status ?? 502;
      const title = `${status} ${STATUS_TEXT[status] ?? "Server Error"}`;
      const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n`;
      sendRaw(res, status, "text/html", page);
      return;
    }
    case "malformed-json":
      sendRaw(res, 200, "application/json", `{"Response": {"Status": InProgress, "RequestId": "${requestId}"`);
      return;
    case "truncated-json": {
      const envelope = JSON.stringify({ Response: inProgress(requestId) });
      sendRaw(res, 200, "application/json", envelope.slice(0, Math.floor(envelope.length / 2)));
      return;
    }
    case "non-envelope-json":
      sendRaw(res, 200, "application/json", JSON.stringify({ code: 0, message: "success", data: { status: "InProgress" } }));
      return;
    case "trickle":
      return trickle(res, fault, requestId);
    case "mid-body-close": {
      const envelope = JSON.stringify({ Response: inProgress(requestId) });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(envelope) });
      // Half the promised body, then the connection drops (a proxy restart, a NAT time-out).
      res.write(envelope.slice(0, envelope.length >> 1), () => res.socket?.destroy());
      return;
    }
    case "oversized-body":
      return fault.gzip ? sendGzipBomb(res, fault.bytes, requestId) : streamPadded(res, fault.bytes, requestId);
    case "oversized-field": {
      const big = "x".repeat(fault.length);
      const response = inProgress(requestId);
      if (fault.field === "Status" || fault.field === "RequestId") response[fault.field] = big;
      else response.Error = fault.field === "Code" ? { Code: `InternalError.${big}`, Message: "x" } : { Code: "InternalError", Message: big };
      sendRaw(res, 200, "application/json", JSON.stringify({ Response: response }));
      return;
    }
    case "event-stream": {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      const event = `data: ${JSON.stringify(inProgress(requestId))}\n\n`;
      res.write(event);
      const timer = setInterval(() => res.write(event), fault.intervalMs ?? 100);
      res.once("close", () => clearInterval(timer));
      return;
    }
    case "redirect": {
      // Default: back to the same URL, so that a client following redirects loops.
      const status = fault.status ?? 307;
      res.writeHead(status, { Location: fault.location ?? "/", "Content-Type": "text/html", "Content-Length": 0 });
      res.end();
      return;
    }
    case "http-error-envelope": {
      const body = JSON.stringify({ Response: { Error: { Code: fault.code, Message: fault.message ?? `Injected fault: ${fault.code}.` }, RequestId: requestId } });
      sendRaw(res, fault.status ?? 500, "application/json", body);
      return;
    }
    default:
      throw new Error(`${fault.type} is not a network fault`);
  }
}

const STATUS_TEXT: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Time-out",
};

/** Headers after `headersAfterMs`, then `{` and one space every `intervalMs`; after `forMs` the rest of a valid envelope. */
function trickle(res: ServerResponse, fault: Extract<FaultSpec, { type: "trickle" }>, requestId: string): void {
  const timers: NodeJS.Timeout[] = [];
  res.once("close", () => timers.forEach(clearTimeout));
  timers.push(
    setTimeout(() => {
      res.writeHead(200, { "Content-Type": "application/json" }); // chunked: no length to say when it ends
      res.write("{");
      const interval = setInterval(() => res.write(" "), fault.intervalMs);
      timers.push(interval as unknown as NodeJS.Timeout);
      if (fault.forMs !== undefined) {
        timers.push(
          setTimeout(() => {
            clearInterval(interval);
            res.end(`"Response":${JSON.stringify(inProgress(requestId))}}`);
          }, fault.forMs),
        );
      }
    }, fault.headersAfterMs ?? 0),
  );
}

/** A valid envelope padded with white space to `bytes`, written in 64 KB chunks as the client reads them. */
function streamPadded(res: ServerResponse, bytes: number, requestId: string): void {
  const head = `{"Response":${JSON.stringify(inProgress(requestId)).slice(0, -1)}`;
  const tail = "}}";
  let left = Math.max(0, bytes - head.length - tail.length);
  const chunk = Buffer.alloc(64 * 1024, " ");
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": head.length + left + tail.length });
  res.write(head);
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end(tail);
  };
  pump();
}

const gzipCache = new Map<number, Buffer>();

/** A small gzip body that inflates to `bytes` of white space around a valid envelope (a decompression bomb). */
function sendGzipBomb(res: ServerResponse, bytes: number, requestId: string): void {
  let padding = gzipCache.get(bytes);
  if (!padding) gzipCache.set(bytes, (padding = gzipSync(Buffer.alloc(bytes, " "), { level: 9 })));
  // The envelope's RequestId changes per request, so only the padding is cached: a gzip stream of the padding
  // followed by one of the envelope is still one valid gzip body (RFC 1952 members concatenate).
  const envelope = gzipSync(JSON.stringify({ Response: inProgress(requestId) }));
  res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip", "Content-Length": padding.length + envelope.length });
  res.end(Buffer.concat([padding, envelope]));
}

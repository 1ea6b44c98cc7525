/** Injected faults: rules that match requests by action and wear off by count or time. */
import type { ServerResponse } from "node:http";
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
];
const FAULT_TYPES: readonly FaultType[] = ["latency", ...NETWORK_FAULTS, "api-error", "throttle"];

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
      const envelope = JSON.stringify({ Response: { Status: "InProgress", RequestId: requestId } });
      sendRaw(res, 200, "application/json", envelope.slice(0, Math.floor(envelope.length / 2)));
      return;
    }
    case "non-envelope-json":
      sendRaw(res, 200, "application/json", JSON.stringify({ code: 0, message: "success", data: { status: "InProgress" } }));
      return;
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

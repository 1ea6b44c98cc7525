/** Callback faults: rules that match events by type and wear off after `times` events, like the API's faults. */
import { EVENT_TYPE_START, EVENT_TYPE_STOP, type CallbackFaultRule, type CallbackFaultSpec, type CallbackFaultType } from "./types";

const FAULT_TYPES: readonly CallbackFaultType[] = ["lose", "duplicate", "reorder", "delay", "start-fails", "restart"];
/** Faults that change the task itself act on its start only. */
const START_ONLY: readonly CallbackFaultType[] = ["start-fails", "restart"];

interface ActiveRule {
  fault: CallbackFaultSpec;
  eventType?: number;
  remaining: number;
}

const isDuration = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;

/** A rule's fault as an object (`"lose"` → `{type: "lose"}`), checked. */
export function normalizeCallbackFault(rule: unknown): { fault: CallbackFaultSpec; eventType?: number; times?: number } {
  const r = rule as CallbackFaultRule;
  if (!r || typeof r !== "object") throw new TypeError("a callback fault rule needs a fault");
  const fault = (typeof r.fault === "string" ? { type: r.fault } : r.fault) as CallbackFaultSpec;
  if (!fault || typeof fault !== "object" || !FAULT_TYPES.includes(fault.type)) {
    throw new TypeError(`callback fault must be one of ${FAULT_TYPES.join(", ")}`);
  }
  if (fault.type === "delay" && !isDuration(fault.ms)) throw new TypeError("delay needs ms >= 0");
  if (fault.type === "reorder" && fault.maxHoldMs !== undefined && !isDuration(fault.maxHoldMs)) throw new TypeError("reorder maxHoldMs must be >= 0");
  if (fault.type === "restart" && !(fault.ms === undefined || isDuration(fault.ms)) ) throw new TypeError("restart ms must be >= 0");
  if (fault.type === "restart" && !(fault.afterMs === undefined || isDuration(fault.afterMs))) throw new TypeError("restart afterMs must be >= 0");
  if (r.eventType !== undefined && r.eventType !== EVENT_TYPE_START && r.eventType !== EVENT_TYPE_STOP) throw new TypeError("eventType must be 701 or 702");
  if (START_ONLY.includes(fault.type) && r.eventType === EVENT_TYPE_STOP) throw new TypeError(`${fault.type} acts on a task's start (701) only`);
  if (r.times !== undefined && !(Number.isInteger(r.times) && r.times > 0)) throw new TypeError("times must be a positive integer");
  return { fault: { ...fault }, eventType: r.eventType, times: r.times };
}

export class CallbackFaultStore {
  private rules: ActiveRule[] = [];

  add(rule: CallbackFaultRule): void {
    const { fault, eventType, times } = normalizeCallbackFault(rule);
    this.rules.push({ fault, eventType, remaining: times ?? Infinity });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first live rule of this type matching the event type; uses up one of its `times`. */
  take<T extends CallbackFaultType>(type: T, eventType: number): Extract<CallbackFaultSpec, { type: T }> | undefined {
    const active = this.rules.find((r) => r.remaining > 0 && r.fault.type === type && (r.eventType === undefined || r.eventType === eventType));
    if (!active) return undefined;
    active.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return active.fault as Extract<CallbackFaultSpec, { type: T }>;
  }
}

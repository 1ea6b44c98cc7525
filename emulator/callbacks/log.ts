/** What became of each callback: every event copy and every attempt, the latest 1000 events kept. */
import type { StreamIngestEvent } from "./event";
import type { CallbackFaultType, CallbackLogEntry } from "./types";

const LOG_SIZE = 1000;

export class CallbackLog {
  private entries: CallbackLogEntry[] = [];
  private nextId = 1;

  /** A new entry, kept and updated in place while its delivery runs. */
  open(event: StreamIngestEvent, url: string, faults: CallbackFaultType[]): CallbackLogEntry {
    const entry: CallbackLogEntry = { id: this.nextId++, ...event, url, faults: [...faults], state: "pending", attempts: [] };
    this.entries.push(entry);
    if (this.entries.length > LOG_SIZE) this.entries.splice(0, this.entries.length - LOG_SIZE);
    return entry;
  }

  /** A copy: callers may keep it while deliveries go on. */
  snapshot(): CallbackLogEntry[] {
    return structuredClone(this.entries);
  }
}

/** What the emulator saw: for tests that assert on retries, concurrency and rate-limit discipline. */
import type { EmulatorStats, RequestLogEntry } from "./types";

const LOG_SIZE = 1000;

export class StatsRecorder {
  private data!: EmulatorStats;
  private startedAt = 0;

  constructor(now = Date.now()) {
    this.reset(now);
  }

  reset(now = Date.now()): void {
    this.startedAt = now;
    this.data = { requests: 0, byAction: {}, connections: 0, throttled: 0, perSecond: [], maxInAnyWindow: 0, log: [] };
  }

  connection(): void {
    this.data.connections += 1;
  }

  request(action: string, now = Date.now()): void {
    this.data.requests += 1;
    this.data.byAction[action] = (this.data.byAction[action] ?? 0) + 1;
    const second = Math.max(0, Math.floor((now - this.startedAt) / 1000));
    while (this.data.perSecond.length <= second) this.data.perSecond.push(0);
    this.data.perSecond[second] += 1;
  }

  throttled(): void {
    this.data.throttled += 1;
  }

  /** The size of an action+account window right after accepting a request. */
  window(size: number): void {
    this.data.maxInAnyWindow = Math.max(this.data.maxInAnyWindow, size);
  }

  log(entry: RequestLogEntry): void {
    this.data.log.push(entry);
    if (this.data.log.length > LOG_SIZE) this.data.log.splice(0, this.data.log.length - LOG_SIZE);
  }

  /** A copy: callers may keep it while requests go on. */
  snapshot(): EmulatorStats {
    return structuredClone(this.data);
  }
}

/**
 * The delivery queue: each event copy delivered on its own by TRTC's rules (trtc.io/document/62717, "Timeout Retry"):
 * an attempt fails without an HTTP 200 within the answer time-out; the first failure is retried at once, each later
 * one `retryIntervalMs` after it, while the next attempt would start within `retryWindowMs` of the first; then the
 * event is given up. Deliveries never wait for each other, so a slow receiver holds up only its own events.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { callbackBody, callbackHeaders, type BodyFormat, type StreamIngestEvent } from "./event";
import type { PendingWork } from "./pending";
import { postOnce } from "./sender";
import type { CallbackAttempt, CallbackLogEntry, CallbackTiming } from "./types";

export interface DeliveryTarget extends BodyFormat {
  url: URL;
  key: string;
  timing: CallbackTiming;
}

export interface DeliveryOptions {
  /** The first attempt waits this long (the `delay` fault). */
  delayMs?: number;
  /** Runs once the first attempt has its outcome (or the delivery ended without one): releases reordered events. */
  afterFirstAttempt?: () => void;
}

export interface DeliveryDeps {
  /** Aborted when the emulator closes: every wait and request of every delivery ends. */
  closing: AbortSignal;
  pending: PendingWork;
  log?: (line: string) => void;
}

export class DeliveryQueue {
  constructor(private readonly deps: DeliveryDeps) {}

  /** Starts delivering one event copy and returns at once. */
  start(entry: CallbackLogEntry, event: StreamIngestEvent, target: DeliveryTarget, options: DeliveryOptions = {}): void {
    this.deps.pending.begin();
    let firstDone = false;
    const afterFirst = () => {
      if (firstDone) return;
      firstDone = true;
      options.afterFirstAttempt?.();
    };
    void this.run(entry, event, target, options.delayMs ?? 0, afterFirst).finally(() => {
      afterFirst();
      this.deps.pending.end();
    });
  }

  private async run(entry: CallbackLogEntry, event: StreamIngestEvent, target: DeliveryTarget, delayMs: number, afterFirst: () => void): Promise<void> {
    if (delayMs > 0 && !(await this.pause(delayMs))) return void (entry.state = "cancelled");
    const { retryIntervalMs, retryWindowMs } = target.timing;
    let firstAt: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(entry, event, target);
      firstAt ??= outcome.at;
      afterFirst();
      if (outcome.ok) return void (entry.state = "delivered");
      if (this.deps.closing.aborted) return void (entry.state = "cancelled");
      const wait = attempt === 1 ? 0 : retryIntervalMs;
      if (Date.now() + wait - firstAt > retryWindowMs) {
        entry.state = "given-up";
        this.deps.log?.(`callback ${describe(event)} given up after ${entry.attempts.length} attempts`);
        return;
      }
      if (!(await this.pause(wait))) return void (entry.state = "cancelled");
    }
  }

  private async attempt(entry: CallbackLogEntry, event: StreamIngestEvent, target: DeliveryTarget): Promise<CallbackAttempt> {
    const at = Date.now(); // the body's CallbackMsTs: when this attempt is sent
    const body = callbackBody(event, at, target);
    const outcome = await postOnce(target.url, callbackHeaders(event, target.key, body), body, target.timing.answerTimeoutMs, this.deps.closing);
    const attempt: CallbackAttempt = { at, durationMs: Date.now() - at, ...outcome, ok: outcome.httpStatus === 200 };
    entry.attempts.push(attempt);
    this.deps.log?.(`callback ${describe(event)} attempt ${entry.attempts.length}: ${attempt.httpStatus ?? attempt.error}`);
    return attempt;
  }

  /** False when the emulator closed while waiting. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.deps.closing });
      return true;
    } catch {
      return false;
    }
  }
}

function describe(event: StreamIngestEvent): string {
  return `${event.eventType}/${event.status} SdkAppId=${event.sdkAppId} TaskId=${event.taskId}`;
}

/**
 * TRTC's side of stream-ingest callbacks (trtc.io/document/62717): listens to the task store, turns each start, stop
 * and end into a 701/702 event, applies the callback faults, and hands the event to the delivery queue.
 * Events are produced only while callbacks are configured, and faults act only on events.
 */
import { setMaxListeners } from "node:events";
import type { IngestTask, TaskListener, TaskStore } from "../tasks";
import { DeliveryQueue, type DeliveryTarget } from "./delivery";
import type { StreamIngestEvent } from "./event";
import { CallbackFaultStore } from "./faults";
import { CallbackLog } from "./log";
import { PendingWork } from "./pending";
import { printableUrl, resolveSettings, settingsView, type ResolvedSettings } from "./settings";
import {
  EVENT_TYPE_START,
  EVENT_TYPE_STOP,
  START_AGAIN,
  START_FAILURE,
  START_SUCCESS,
  STOP_SUCCESS,
  type CallbackFaultRule,
  type CallbackFaultType,
  type CallbackLogEntry,
  type CallbackSettings,
  type CallbackSettingsView,
} from "./types";

/** How long a restart keeps a task in STATUS_START_AGAIN before its new 701 Status 0, unless told otherwise. */
export const DEFAULT_RESTART_MS = 1000;
/** How long a reordered event waits for its task's next event at most, unless told otherwise. */
export const DEFAULT_MAX_HOLD_MS = 5000;

/** A reordered event waiting for its task's next event. */
interface HeldEvent {
  entry: CallbackLogEntry;
  event: StreamIngestEvent;
  target: DeliveryTarget;
  delayMs?: number;
  timer?: NodeJS.Timeout;
}

export class CallbackService implements TaskListener {
  private settings?: ResolvedSettings;
  private readonly closing = new AbortController();
  private readonly pending = new PendingWork();
  private readonly faults = new CallbackFaultStore();
  private readonly log = new CallbackLog();
  private readonly queue: DeliveryQueue;
  /** Reordered events waiting for their task's next event, by TaskId, oldest first. */
  private readonly held = new Map<string, HeldEvent[]>();
  /** Every reordered event not yet released (also those whose next event is having its first attempt). */
  private readonly unreleased = new Set<HeldEvent>();
  /** The next step of each task's restart in progress, by TaskId. */
  private readonly restarts = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly tasks: TaskStore,
    settings?: CallbackSettings,
    private readonly print?: (line: string) => void,
  ) {
    // Every delivery's waits and requests listen on this one signal: hundreds at once is a load test, not a leak.
    setMaxListeners(0, this.closing.signal);
    this.queue = new DeliveryQueue({ closing: this.closing.signal, pending: this.pending, log: print });
    this.configure(settings);
    tasks.listen(this);
  }

  /** New settings for events from now on; deliveries already under way keep the URL and key of their event. */
  configure(settings: CallbackSettings | undefined): void {
    this.settings = settings === undefined || settings === null ? undefined : resolveSettings(settings);
  }

  view(): CallbackSettingsView {
    return settingsView(this.settings);
  }

  addFault(rule: CallbackFaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  entries(): CallbackLogEntry[] {
    return this.log.snapshot();
  }

  idle(): Promise<void> {
    return this.pending.idle();
  }

  started(task: IngestTask, at: number): boolean {
    if (!this.settings) return true;
    if (this.faults.take("start-fails", EVENT_TYPE_START)) {
      this.emit(task, EVENT_TYPE_START, START_FAILURE, at, ["start-fails"]);
      return false;
    }
    this.emit(task, EVENT_TYPE_START, START_SUCCESS, at);
    const restart = this.faults.take("restart", EVENT_TYPE_START);
    if (restart) this.scheduleRestart(task, restart.afterMs ?? 0, restart.ms ?? DEFAULT_RESTART_MS, ["restart"]);
    return true;
  }

  ended(task: IngestTask, at: number): void {
    this.cancelRestart(task.taskId);
    this.emit(task, EVENT_TYPE_STOP, STOP_SUCCESS, at);
  }

  /** A running task restarts now: 701 Status 2, then `ms` later 701 Status 0. False when the task does not run. */
  restart(sdkAppId: number, taskId: string, ms = DEFAULT_RESTART_MS): boolean {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError("restart ms must be >= 0");
    const task = this.tasks.find(sdkAppId, taskId);
    if (!task) return false;
    this.scheduleRestart(task, 0, ms, []);
    return true;
  }

  /** Ends every request, wait and timer; deliveries still pending are marked cancelled. */
  close(): void {
    this.closing.abort();
    for (const timer of this.restarts.values()) clearTimeout(timer);
    this.restarts.clear();
    for (const held of this.unreleased) {
      clearTimeout(held.timer);
      held.entry.state = "cancelled";
    }
    this.unreleased.clear();
    this.held.clear();
    this.pending.close();
  }

  private emit(task: IngestTask, eventType: number, status: number, at: number, tags: CallbackFaultType[] = []): void {
    const settings = this.settings;
    if (!settings || this.closing.signal.aborted) return;
    const event: StreamIngestEvent = { sdkAppId: task.sdkAppId, taskId: task.taskId, eventType, status, eventMsTs: at };
    const url = printableUrl(settings.url);
    if (this.faults.take("lose", eventType)) {
      this.log.open(event, url, [...tags, "lose"]).state = "lost";
      this.print?.(`callback ${eventType}/${status} SdkAppId=${task.sdkAppId} TaskId=${task.taskId} lost (fault)`);
      this.takeHeld(task.taskId).forEach((held) => this.release(held)); // the next event happened: nothing to wait for
      return;
    }
    const target: DeliveryTarget = { url: settings.url, key: settings.key, timing: settings.timing, bodyStyle: settings.bodyStyle, eventMsTsAs: settings.eventMsTsAs };
    const delay = this.faults.take("delay", eventType);
    const duplicate = this.faults.take("duplicate", eventType);
    const reorder = this.faults.take("reorder", eventType);
    const faults: CallbackFaultType[] = [...tags];
    if (delay) faults.push("delay");
    if (duplicate) faults.push("duplicate");
    if (reorder) faults.push("reorder");
    const copies = Array.from({ length: duplicate ? 2 : 1 }, () => this.log.open(event, url, faults));
    if (reorder) {
      for (const entry of copies) this.hold({ entry, event, target, delayMs: delay?.ms }, reorder.maxHoldMs ?? DEFAULT_MAX_HOLD_MS);
      return;
    }
    // Events held back earlier go out once this one has had its first attempt, so they arrive after it.
    const earlier = this.takeHeld(task.taskId);
    copies.forEach((entry, copy) =>
      this.queue.start(entry, event, target, { delayMs: delay?.ms, afterFirstAttempt: copy === 0 ? () => earlier.forEach((held) => this.release(held)) : undefined }),
    );
  }

  private hold(held: HeldEvent, maxHoldMs: number): void {
    held.entry.state = "held";
    this.pending.begin();
    held.timer = setTimeout(() => this.release(held), maxHoldMs);
    this.unreleased.add(held);
    this.held.set(held.event.taskId, [...(this.held.get(held.event.taskId) ?? []), held]);
  }

  private takeHeld(taskId: string): HeldEvent[] {
    const list = this.held.get(taskId) ?? [];
    this.held.delete(taskId);
    return list;
  }

  private release(held: HeldEvent): void {
    if (!this.unreleased.delete(held) || this.closing.signal.aborted) return;
    clearTimeout(held.timer);
    const list = this.held.get(held.event.taskId);
    if (list?.includes(held)) this.held.set(held.event.taskId, list.filter((other) => other !== held));
    held.entry.state = "pending";
    this.queue.start(held.entry, held.event, held.target, { delayMs: held.delayMs });
    this.pending.end();
  }

  /** After `afterMs`: 701 Status 2; `ms` later, if the task still runs, 701 Status 0. */
  private scheduleRestart(task: IngestTask, afterMs: number, ms: number, tags: CallbackFaultType[]): void {
    this.cancelRestart(task.taskId);
    this.pending.begin();
    const step = (run: () => void, delay: number) => this.restarts.set(task.taskId, setTimeout(run, delay));
    step(() => {
      if (!this.runs(task)) return this.finishRestart(task.taskId);
      this.emit(task, EVENT_TYPE_START, START_AGAIN, Date.now(), tags);
      step(() => {
        if (this.runs(task)) this.emit(task, EVENT_TYPE_START, START_SUCCESS, Date.now(), tags);
        this.finishRestart(task.taskId);
      }, ms);
    }, afterMs);
  }

  private runs(task: IngestTask): boolean {
    return this.tasks.find(task.sdkAppId, task.taskId) === task;
  }

  private finishRestart(taskId: string): void {
    if (this.restarts.delete(taskId)) this.pending.end();
  }

  private cancelRestart(taskId: string): void {
    clearTimeout(this.restarts.get(taskId));
    this.finishRestart(taskId);
  }
}

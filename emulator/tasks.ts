/**
 * Relay (stream-ingest) tasks, each owned by one SdkAppId. A task with an end has a timer that ends it on time, so
 * that its stop is announced when it happens; a lookup after the end (a late timer) ends it too, exactly once.
 */
import { randomBytes } from "node:crypto";
import type { SeedTask } from "./types";
import { isSdkAppId, isTaskId } from "./params";

export interface IngestTask {
  taskId: string;
  sdkAppId: number;
  roomId: string;
  streamUrl: string;
  startedAt: number;
  /** When the task ends by itself (ms); undefined = runs until stopped. */
  endsAt?: number;
}

/** Told when tasks start and end (the callbacks: 701 and 702). */
export interface TaskListener {
  /** A task is running; answers false when it fails to start instead (it is then removed: it never ran). */
  started(task: IngestTask, at: number): boolean;
  /** A task stopped or ended by itself at `at`; it is already gone (DescribeStreamIngest answers NotExist). */
  ended(task: IngestTask, at: number): void;
}

/** setTimeout's longest delay; a later end is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Opaque, URL-safe and long, in the spirit of the real service's TaskIds. */
export function newTaskId(): string {
  return randomBytes(36).toString("base64url"); // 48 chars of [A-Za-z0-9_-]
}

export class TaskStore {
  private readonly tasks = new Map<string, IngestTask>();
  private readonly endTimers = new Map<string, NodeJS.Timeout>();
  private listener?: TaskListener;
  private closed = false;

  listen(listener: TaskListener): void {
    this.listener = listener;
  }

  /** `announce: false` for tasks that were already running when the emulator started (no start event). */
  start(task: Omit<IngestTask, "taskId" | "startedAt"> & { taskId?: string }, now = Date.now(), announce = true): IngestTask {
    const created: IngestTask = { ...task, taskId: task.taskId ?? newTaskId(), startedAt: now };
    this.forget(created.taskId); // a seed may replace a task of the same TaskId, silently
    this.tasks.set(created.taskId, created);
    if (announce && this.listener && !this.listener.started(created, now)) {
      this.forget(created.taskId);
      return created;
    }
    this.scheduleEnd(created);
    return created;
  }

  seed(seed: SeedTask, now = Date.now(), announce = true): string {
    if (!seed || !isSdkAppId(seed.SdkAppId)) throw new TypeError("SeedTask.SdkAppId must be an integer from 1 to 4294967295");
    if (seed.TaskId !== undefined && !isTaskId(seed.TaskId)) throw new TypeError("SeedTask.TaskId must be 1-256 visible ASCII characters");
    const ends = seed.endsAfterSeconds;
    if (ends !== undefined && !(Number.isFinite(ends) && ends >= 0)) throw new TypeError("SeedTask.endsAfterSeconds must be >= 0");
    return this.start(
      {
        taskId: seed.TaskId,
        sdkAppId: seed.SdkAppId,
        roomId: seed.RoomId ?? "1234",
        streamUrl: seed.StreamUrl ?? "https://example.com/live/demo.flv",
        endsAt: ends === undefined ? undefined : now + ends * 1000,
      },
      now,
      announce,
    ).taskId;
  }

  /** The task if it exists for this SdkAppId and has not ended. */
  find(sdkAppId: number, taskId: string, now = Date.now()): IngestTask | undefined {
    const task = this.tasks.get(taskId);
    if (!task || task.sdkAppId !== sdkAppId) return undefined;
    if (task.endsAt !== undefined && now >= task.endsAt) {
      this.end(task, task.endsAt);
      return undefined;
    }
    return task;
  }

  stop(sdkAppId: number, taskId: string, now = Date.now()): boolean {
    const task = this.find(sdkAppId, taskId, now);
    if (task) this.end(task, now);
    return task !== undefined;
  }

  /** Clears every end timer: tasks no longer end (nor announce it) once the emulator has closed. */
  close(): void {
    this.closed = true;
    for (const timer of this.endTimers.values()) clearTimeout(timer);
    this.endTimers.clear();
  }

  private end(task: IngestTask, at: number): void {
    this.forget(task.taskId);
    if (!this.closed) this.listener?.ended(task, at);
  }

  private forget(taskId: string): void {
    this.tasks.delete(taskId);
    clearTimeout(this.endTimers.get(taskId));
    this.endTimers.delete(taskId);
  }

  private scheduleEnd(task: IngestTask): void {
    if (task.endsAt === undefined || this.closed) return;
    const delay = Math.min(Math.max(0, task.endsAt - Date.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.endTimers.delete(task.taskId);
      if (this.tasks.get(task.taskId) !== task) return;
      if (Date.now() >= task.endsAt!) this.end(task, task.endsAt!);
      else this.scheduleEnd(task);
    }, delay);
    this.endTimers.set(task.taskId, timer);
  }
}

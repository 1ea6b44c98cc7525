/** Relay (stream-ingest) tasks, each owned by one SdkAppId; a task may end on its own. */
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

/** Opaque, URL-safe and long, in the spirit of the real service's TaskIds. */
export function newTaskId(): string {
  return randomBytes(36).toString("base64url"); // 48 chars of [A-Za-z0-9_-]
}

export class TaskStore {
  private readonly tasks = new Map<string, IngestTask>();

  start(task: Omit<IngestTask, "taskId" | "startedAt"> & { taskId?: string }, now = Date.now()): IngestTask {
    const created: IngestTask = { ...task, taskId: task.taskId ?? newTaskId(), startedAt: now };
    this.tasks.set(created.taskId, created);
    return created;
  }

  seed(seed: SeedTask, now = Date.now()): string {
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
    ).taskId;
  }

  /** The task if it exists for this SdkAppId and has not ended. */
  find(sdkAppId: number, taskId: string, now = Date.now()): IngestTask | undefined {
    const task = this.tasks.get(taskId);
    if (!task || task.sdkAppId !== sdkAppId) return undefined;
    if (task.endsAt !== undefined && now >= task.endsAt) {
      this.tasks.delete(taskId);
      return undefined;
    }
    return task;
  }

  stop(sdkAppId: number, taskId: string, now = Date.now()): boolean {
    return this.find(sdkAppId, taskId, now) !== undefined && this.tasks.delete(taskId);
  }
}

/**
 * The store's keys, all under `trtc:<scope>:`. Every key of one task carries the task's hash tag
 * `{<SdkAppId>/<TaskId>}`, so they live in one slot of a cluster and one script may touch them together. Statuses
 * are per region too (the region is in the key, outside the tag); records are per task.
 */
import type { TaskRef } from "../../relay/types";

export interface StoreKeys {
  /** The fleet's rate budget (TRTC's limit is per account and action, not per region). */
  rate: string;
  status(task: TaskRef): string;
  lock(task: TaskRef): string;
  /** The callback record's events (a sorted set) and its final answer. */
  events(task: TaskRef): string;
  final(task: TaskRef): string;
}

export function storeKeys(scope: string): StoreKeys {
  const prefix = `trtc:${scope}:`;
  const tag = (task: TaskRef) => `{${task.sdkAppId}/${task.taskId}}`;
  return {
    rate: `${prefix}rate:DescribeStreamIngest`,
    status: (task) => `${prefix}status:${task.region}:${tag(task)}`,
    lock: (task) => `${prefix}lock:${task.region}:${tag(task)}`,
    events: (task) => `${prefix}events:${tag(task)}`,
    final: (task) => `${prefix}final:${tag(task)}`,
  };
}

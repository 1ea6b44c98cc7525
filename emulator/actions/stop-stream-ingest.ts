import { ApiError } from "../api-error";
import { requireSdkAppId, requireTaskId } from "../params";
import type { ActionHandler } from "./action";

/** Stops a running task; a task that does not exist (or has ended) for that SdkAppId is an error. */
export const stopStreamIngest: ActionHandler = {
  name: "StopStreamIngest",
  params: ["SdkAppId", "TaskId"],
  handle({ params, fromQuery, tasks, now }) {
    const sdkAppId = requireSdkAppId(params, fromQuery);
    const taskId = requireTaskId(params);
    if (!tasks.stop(sdkAppId, taskId, now)) throw new ApiError("FailedOperation.TaskNotExist", "The task does not exist.");
    return {};
  },
};

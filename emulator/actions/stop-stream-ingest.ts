import { ApiError } from "../api-error";
import { requireSdkAppId, requireTaskId } from "../params";
import type * as trtc from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_models";
import { defineAction } from "./action";

/** Stops a running task; a task that does not exist (or has ended) for that SdkAppId is an error. */
export const stopStreamIngest = defineAction<trtc.StopStreamIngestRequest, trtc.StopStreamIngestResponse>()({
  name: "StopStreamIngest",
  params: ["SdkAppId", "TaskId"] as const,
  handle({ params, fromQuery, tasks, now }) {
    const sdkAppId = requireSdkAppId(params, fromQuery);
    const taskId = requireTaskId(params);
    if (!tasks.stop(sdkAppId, taskId, now)) throw new ApiError("FailedOperation.TaskNotExist", "The task does not exist.");
    return {};
  },
});

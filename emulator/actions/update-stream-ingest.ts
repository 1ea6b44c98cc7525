import { requireSdkAppId, requireString, requireTaskId } from "../params";
import type * as trtc from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_models";
import { defineAction } from "./action";

/** Changes a running task's StreamUrl; answers the task's Status like DescribeStreamIngest. */
export const updateStreamIngest = defineAction<trtc.UpdateStreamIngestRequest, trtc.UpdateStreamIngestResponse>()({
  name: "UpdateStreamIngest",
  params: ["SdkAppId", "TaskId", "StreamUrl", "Volume", "IsPause", "EnableProgress", "Tempo"],
  handle({ params, fromQuery, tasks, now }) {
    const sdkAppId = requireSdkAppId(params, fromQuery);
    const taskId = requireTaskId(params);
    const streamUrl = params.StreamUrl === undefined ? undefined : requireString(params, "StreamUrl");
    const task = tasks.find(sdkAppId, taskId, now);
    if (task && streamUrl !== undefined) task.streamUrl = streamUrl;
    return { Status: task ? "InProgress" : "NotExist" };
  },
});

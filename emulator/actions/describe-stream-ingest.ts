import { requireSdkAppId, requireTaskId } from "../params";
import type * as trtc from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_models";
import { defineAction } from "./action";

/** Status is InProgress while the task runs for that SdkAppId, NotExist otherwise (never started, stopped, ended). */
export const describeStreamIngest = defineAction<trtc.DescribeStreamIngestRequest, trtc.DescribeStreamIngestResponse>()({
  name: "DescribeStreamIngest",
  params: ["SdkAppId", "TaskId"] as const,
  handle({ params, fromQuery, tasks, now }) {
    const sdkAppId = requireSdkAppId(params, fromQuery);
    const taskId = requireTaskId(params);
    return { Status: tasks.find(sdkAppId, taskId, now) ? "InProgress" : "NotExist" };
  },
});

import { requireSdkAppId, requireTaskId } from "../params";
import type { ActionHandler } from "./action";

/** Status is InProgress while the task runs for that SdkAppId, NotExist otherwise (never started, stopped, ended). */
export const describeStreamIngest: ActionHandler = {
  name: "DescribeStreamIngest",
  params: ["SdkAppId", "TaskId"],
  handle({ params, fromQuery, tasks, now }) {
    const sdkAppId = requireSdkAppId(params, fromQuery);
    const taskId = requireTaskId(params);
    return { Status: tasks.find(sdkAppId, taskId, now) ? "InProgress" : "NotExist" };
  },
};

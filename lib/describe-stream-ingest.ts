/**
 * The handler at the centre of the middy stack: by the time it runs, the event is a validated, allowed
 * `{ SdkAppId, TaskId }`. It asks TRTC and records the result for the log line.
 */
import type { Container } from "./container";
import type { TaskParams } from "./params";
import { queryTask, type TaskResult } from "./query-task";
import type { FunctionContext } from "./middleware/types";

export function describeStreamIngestHandler(container: Container) {
  return async (event: unknown, context: FunctionContext): Promise<TaskResult> => {
    if (container.configError || !container.config || !container.api) throw container.configError;
    container.credentials.current(); // missing credentials: a configuration error, before any upstream attempt
    const { result, stats } = await queryTask({ api: container.api, config: container.config }, event as TaskParams, context.invocation);
    context.invocation.result = result;
    context.invocation.stats = stats;
    return result;
  };
}

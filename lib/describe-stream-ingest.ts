/**
 * The handler at the centre of the middy stack. By the time it runs, the event is either a validated, allowed
 * `{ SdkAppId, TaskId }` (with, on a direct invocation, optional wait options) or a batch query (validated per task
 * in lib/batch.ts). It asks TRTC and records the result for the log line.
 */
import { isBatchQuery, runBatch, type BatchResult } from "./batch";
import type { Container } from "./container";
import type { TaskParams } from "./params";
import type { TaskResult } from "./query-task";
import { readWaitOptions, waitForStatus, type WaitedResult } from "./wait";
import type { FunctionContext } from "./middleware/types";

export function describeStreamIngestHandler(container: Container) {
  return async (event: unknown, context: FunctionContext): Promise<TaskResult | WaitedResult | BatchResult> => {
    if (container.configError || !container.config || !container.api || !container.fleet) throw container.configError;
    container.credentials.refresh(); // keys read once per invocation (they rotate); none: a configuration error, before any upstream attempt
    const invocation = context.invocation;
    const deps = { api: container.api, config: container.config };
    const fleet = container.fleet;

    if (isBatchQuery(event)) {
      const { result, stats } = await runBatch({ ...deps, fleet, allowed: container.config.allowedSdkAppIds }, event, invocation);
      invocation.batch = result.summary;
      invocation.batchCodes = countCodes(result.results);
      invocation.stats = stats;
      return result;
    }

    const params = event as TaskParams;
    const wait = invocation.kind === "direct" ? readWaitOptions(invocation.rawEvent) : undefined;
    const { result, stats } = wait
      ? await waitForStatus(() => fleet.query(deps, params, invocation), wait, invocation.deadline)
      : await fleet.query(deps, params, invocation);
    invocation.result = result;
    invocation.stats = stats;
    return result;
  };
}

function countCodes(results: TaskResult[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const result of results) if (!result.ok) codes[result.error.code] = (codes[result.error.code] ?? 0) + 1;
  return codes;
}

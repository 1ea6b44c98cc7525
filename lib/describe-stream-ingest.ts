/**
 * The handler at the centre of the middy stack. By the time it runs, the event is the input step's reading
 * (lib/input.ts): one valid, allowed task (with, on a direct invocation, optional wait options), or a batch whose
 * tasks are judged one by one. It asks TRTC and returns its outcome: the contract result and what it cost.
 */
import { runBatch, type BatchResult } from "./batch";
import type { Container } from "./container";
import type { Input } from "./input";
import type { QueryStats, TaskResult } from "./query-task";
import { waitForStatus, type WaitedResult } from "./wait";
import type { FunctionContext } from "./middleware/types";

/** What the handler returns (and classifyErrors, for a failure): invocationLog writes it down and passes `result` on. */
export interface Outcome {
  result: TaskResult | WaitedResult | BatchResult;
  stats: QueryStats;
}

export function describeStreamIngestHandler(container: Container) {
  return async (event: unknown, context: FunctionContext): Promise<Outcome> => {
    if (container.configError || !container.config || !container.api || !container.fleet) throw container.configError;
    container.credentials.refresh(); // keys read once per invocation (they rotate); none: a configuration error, before any upstream attempt
    const input = event as Input;
    const invocation = context.invocation;
    const deps = { api: container.api, config: container.config };
    const fleet = container.fleet;
    if (input.kind === "batch") return runBatch({ ...deps, fleet }, input.tasks, invocation);
    return input.wait
      ? waitForStatus(() => fleet.query(deps, input.params, invocation), input.wait, invocation.deadline)
      : fleet.query(deps, input.params, invocation);
  };
}

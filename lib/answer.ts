/**
 * The handler at the centre: the input step's reading (lib/input.ts) in, the invocation's {@link Outcome} out. It
 * never throws: a refusal, a configuration error, a credential fault or a bug all come out as outcomes, which the
 * edge renders (lib/render.ts).
 */
import { runBatch } from "./batch";
import type { ReadyRuntime, Runtime } from "./container";
import type { CallbackRequest, Reading } from "./input";
import type { FunctionContext } from "./middleware/types";
import { asFunctionError, failureOutcome, type CallbackOutcome, type Outcome } from "./outcome";
import type { RawParams, TaskParams, WaitOptions } from "./params";
import type { Invocation } from "./platform";
import { receiveCallback } from "./relay/receive";
import { queryWithStory, stopRecorded } from "./relay/story";
import { waitForStatus, type Listen } from "./wait";

type Query = Extract<Reading, { kind: "single" | "batch" }>;

/** A record in this container's memory answers at once; the bound only matters for Redis. */
const MEMORY_CALL_MS = 50;

/** How often a wait for NotExist reads the task's record for a stop: a stop is heard of within this. */
export const LISTEN_EVERY_MS = 250;

/**
 * How one invocation asks about a task: through the fleet's front door, told with the relay's record when callbacks
 * are on (`on`: a callback key is configured, so a callback can have written a record); and, for a wait for
 * NotExist, how it listens for the recorded stop.
 */
function tellerFor(runtime: ReadyRuntime, invocation: Invocation, on: boolean) {
  const { fleet, config, records } = runtime;
  const { deadline } = invocation;
  const deps = { api: runtime.api, config };
  const story = () => ({ records, retentionMs: config.callbacks.retentionMs, timeoutMs: deadline.storeCallMs(config.redis?.timeoutMs ?? MEMORY_CALL_MS) });
  const refOf = (params: TaskParams) => ({ sdkAppId: params.SdkAppId, taskId: params.TaskId, region: config.region });
  return {
    query: (params: TaskParams) => {
      const ask = (fresh: boolean) => fleet.query(deps, params, invocation, fresh);
      return on ? queryWithStory(refOf(params), ask, story()) : ask(false);
    },
    listenFor: (params: TaskParams, wait: WaitOptions): Listen | undefined =>
      on && wait.waitFor === "NotExist"
        ? (until) => stopRecorded(refOf(params), until, { ...story(), everyMs: LISTEN_EVERY_MS, now: () => deadline.now(), sleep: (ms) => deadline.sleep(ms) })
        : undefined,
  };
}

/** One task, a wait or a batch, through the fleet's front door. */
async function answerQuery(runtime: ReadyRuntime, query: Query, invocation: Invocation): Promise<Outcome> {
  await runtime.credentials.prepare(invocation.deadline);
  runtime.credentials.refresh(); // keys read once per invocation (they rotate); none: InvalidConfiguration.Credentials
  const callbacksOn = runtime.callbackKey() !== undefined;
  const teller = tellerFor(runtime, invocation, callbacksOn);
  if (query.kind === "batch") return { kind: "batch", ...(await runBatch({ query: teller.query }, query.tasks)) };
  const poll = () => teller.query(query.params);
  if (!query.wait) return { kind: "task", ...(await poll()) };
  return { kind: "task", ...(await waitForStatus(poll, query.wait, invocation.deadline, { listen: teller.listenFor(query.params, query.wait) })) };
}

async function answerCallback(runtime: ReadyRuntime, request: CallbackRequest, invocation: Invocation): Promise<CallbackOutcome> {
  const { config } = runtime;
  const { deadline } = invocation;
  // The key may come from the Secrets Manager secret: read it (within the deadline) when older than its TTL.
  if (!config.callbacks.key) await runtime.credentials.prepare(deadline);
  return receiveCallback(request, {
    key: runtime.callbackKey(),
    allowed: config.allowedSdkAppIds,
    records: runtime.records,
    retentionMs: config.callbacks.retentionMs,
    region: config.region,
    now: deadline.now(),
    writeWithinMs: deadline.recordWriteMs(),
  });
}

async function answer(runtime: Runtime, reading: Reading, invocation: Invocation): Promise<Outcome> {
  switch (reading.kind) {
    case "refused":
      return reading.callback ? { kind: "callback", callback: { ok: false, error: reading.error } } : failureOutcome(reading.error, reading.params);
    case "preflight":
      return { kind: "preflight" };
  }
  if (!runtime.ok) {
    if (reading.kind === "callback") return { kind: "callback", callback: { ok: false, error: runtime.error } };
    return failureOutcome(runtime.error, reading.params);
  }
  if (reading.kind === "callback") return { kind: "callback", callback: await answerCallback(runtime, reading.request, invocation) };
  return answerQuery(runtime, reading, invocation);
}

const paramsOf = (reading: Reading): RawParams | undefined => ("params" in reading ? reading.params : undefined);

export function answerWith(runtime: Runtime) {
  return async (reading: Reading, context: FunctionContext): Promise<Outcome> => {
    try {
      return await answer(runtime, reading, context.invocation);
    } catch (error) {
      const failure = asFunctionError(error);
      if (failure.code === "InternalError.Function") {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        runtime.logger.log("error", "Unexpected error", { requestId: context.invocation.requestId, error: detail });
      }
      // A callback's failure (its key's secret could not be read, a bug) is answered as a callback is.
      if (reading.kind === "callback") return { kind: "callback", callback: { ok: false, error: failure } };
      return failureOutcome(failure, paramsOf(reading));
    }
  };
}

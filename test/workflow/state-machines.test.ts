/**
 * The ready-made state machines (examples/step-functions, examples/asw): valid by asl-validator, and run in
 * aws-local-stepfunctions (an ASL engine this project did not write) around the built bundle against the emulator.
 * Its Task override stands in for the platform's function integration; its Wait and Retry overrides remove the real
 * waiting. Paths: the poll loop, every retryable code and sub-code, the transport faults, retries spent, non-retryable
 * codes, a missing SdkAppId/TaskId, the platform failing to run the function, and (Step Functions) the unwrap recipe
 * and wait-until state printed in docs/workflows.md. Mutated copies show that a misspelt error name, a broken Choice
 * or a missing input check fails these tests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StateMachine } from "aws-local-stepfunctions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import type { FaultSpec } from "../../emulator/types";
import { API_ERRORS, CALLBACK_ONLY_CODES, FUNCTION_ERRORS, describeErrorCode } from "../../lib/errors";
import { awsContext, loadBundle, quietly, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require("asl-validator") as (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };

const ROOT = join(__dirname, "..", "..");
const load = (path: string) => JSON.parse(readFileSync(join(ROOT, "examples", path), "utf8"));
const MACHINES = {
  "Step Functions": { file: "step-functions/poll-relay-task.asl.json", validate: { checkArn: true, checkPaths: true } },
  ASW: { file: "asw/poll-relay-task.json", validate: { checkArn: false, checkPaths: true } }, // qrn:, not arn:
} as const;
type Machine = keyof typeof MACHINES;
/** What a status query can fail with (a callback's codes go to TRTC, never to a workflow). */
const KNOWN = new Set([...Object.keys(FUNCTION_ERRORS), ...Object.keys(API_ERRORS)].filter((code) => !CALLBACK_ONLY_CODES.has(code)));
const ENDED = "an-ended-task";

let emulator: RunningEmulator;
let fn: Bundle;

beforeAll(async () => {
  // No rate limit on either side: the executions' invocations follow each other closely, and each would wait 55 ms
  // for the 18/s pace (most of this file's time); pacing is proven in test/workflow/batch.test.ts and test/fleet.
  const started = await startTestEmulator({ rateLimitPerSecond: 1_000_000 });
  emulator = started.emulator;
  // One attempt per invocation, so every upstream failure reaches the state machine (the default 3 would mostly hide
  // it inside the function); a short attempt bound, so the time-out fault costs little.
  fn = loadBundle({ ...started.env, TRTC_RATE_LIMIT_PER_SECOND: "1000000", TRTC_MAX_ATTEMPTS: "1", TRTC_ATTEMPT_TIMEOUT_MS: "300" });
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

/**
 * What the platforms do with the function. Step Functions' lambda:invoke wraps the result in {Payload, StatusCode};
 * a function error becomes an error named by Lambda's errorType, whose Cause is Lambda's error document
 * {errorType, errorMessage, trace} (AWS Lambda developer guide, "Node.js function errors"; the Error's name must
 * match ErrorEquals). ASW's SCF Invoke gives the function's return value itself as the Task's result (ASW docs,
 * "Map 节点" example: ResultSelector reads the function's returned fields).
 */
function platform(machine: Machine, calls: { n: number }, { platformFails, beforeCall }: RunOptions) {
  return async (input: any): Promise<any> => {
    calls.n++;
    await beforeCall?.(calls.n);
    if (platformFails && calls.n <= platformFails.times) throw Object.assign(new Error("the platform could not run the function"), { name: platformFails.name });
    // The function's log lines (one per invocation, failures at level error) are dropped: they would fill the output.
    if (machine === "ASW") return quietly(() => fn.main_handler(input, scfContext(10_000)));
    expect(input.FunctionName).toBeTypeOf("string");
    try {
      return { Payload: await quietly(() => fn.handler(input.Payload, awsContext(10_000))), StatusCode: 200, ExecutedVersion: "$LATEST" };
    } catch (error) {
      const { name, message } = error as Error;
      throw Object.assign(new Error(JSON.stringify({ errorType: name, errorMessage: message, trace: [] })), { name });
    }
  };
}

interface RunOptions {
  /** The platform failing to run the function (not the function failing), for the first `times` invocations. */
  platformFails?: { times: number; name: string };
  /** Awaited before invocation n (1-based) reaches the function. */
  beforeCall?: (n: number) => Promise<void>;
  /** The Task state that invokes the function (default DescribeRelayTask). */
  taskState?: string;
}

/** The engine's event log entries this file reads (the package does not export its EventLog type). */
interface EventLog {
  type: string;
  state?: { name: string; input: any };
  retry?: { retrier: { ErrorEquals: string[] } };
  Error?: string;
}

interface Run {
  status: "SUCCEEDED" | "FAILED";
  output?: any;
  error?: string;
  cause?: string;
  calls: number;
  events: EventLog[];
}

/**
 * One engine per definition object: constructing one validates the definition, which is most of a run's cost
 * (asl-validator compiles its schemas anew on every call, 0.1-0.3 CPU-s).
 */
const engines = new WeakMap<object, StateMachine>();

/**
 * The mutated copies "a broken definition" runs: the engine does not validate them. What those tests assert is what
 * running a mutation does; the shipped definitions' validity is asserted by asl-validator itself, above, and the
 * docs' snippets are still validated when their engine is constructed.
 */
const mutants = new WeakSet<object>();
function mutant<T extends object>(definition: T): T {
  const copy = structuredClone(definition);
  mutants.add(copy);
  return copy;
}

async function run(machine: Machine, definition: unknown, input: unknown, options: RunOptions = {}): Promise<Run> {
  const calls = { n: 0 };
  let engine = engines.get(definition as object);
  if (!engine) {
    const validationOptions = mutants.has(definition as object) ? { noValidate: true } : MACHINES[machine].validate;
    engines.set(definition as object, (engine = new StateMachine(definition as never, { validationOptions })));
  }
  const execution = engine.run(input as never, {
    // Every Wait state and retry pause takes the given milliseconds instead of its seconds (the engine's own Task
    // time-out, 60 s, stays: the function answers long before).
    overrides: {
      taskResourceLocalHandlers: { [options.taskState ?? "DescribeRelayTask"]: platform(machine, calls, options) },
      waitTimeOverrides: { WaitBeforeNextPoll: 0, BackOff: 0 },
      retryIntervalOverrides: { DescribeRelayTask: 0 },
    },
  });
  const events: EventLog[] = [];
  const logged = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  const settled = await execution.result.then(
    (output) => ({ status: "SUCCEEDED" as const, output }),
    (error) => ({ status: "FAILED" as const, error: error.cause?.name ?? String(error), cause: error.cause?.message }),
  );
  await logged;
  return { ...settled, calls: calls.n, events };
}

/** A running task, and a way to end it: seeding its TaskId again with endsAfterSeconds 0 replaces it by an ended one. */
function runningTask(): { taskId: string; end: () => void } {
  const taskId = emulator.seedTask({ SdkAppId: APP });
  return { taskId, end: () => void emulator.seedTask({ SdkAppId: APP, TaskId: taskId, endsAfterSeconds: 0 }) };
}

const entered = (r: Run) => r.events.flatMap((e) => (e.type === "StateEntered" ? [e.state!.name] : []));
const retriesBy = (r: Run) => r.events.flatMap((e) => (e.type === "StateRetried" ? [e.retry!.retrier.ErrorEquals] : []));
const taskErrors = (r: Run) => r.events.flatMap((e) => (e.type === "StateFailed" && e.state!.name === "DescribeRelayTask" ? [e.Error] : []));
const upstream = () => emulator.stats().byAction.DescribeStreamIngest ?? 0;
const faultFor = (code: string): FaultSpec => (code === "RequestLimitExceeded" ? { type: "throttle" } : { type: "api-error", code });

/** The function's own failure payload, from the Fail state's Cause (Step Functions) or the final state (ASW). */
function failurePayload(machine: Machine, r: Run): any {
  if (machine === "Step Functions") return JSON.parse(JSON.parse(r.cause!).errorMessage);
  return r.events.find((e) => e.type === "StateEntered" && e.state!.name === "RelayTaskQueryFailed")!.state!.input.relay;
}

/** Each retryable code, and the name docs/workflows.md says it is thrown under (a listed code, or its listed family). */
const RETRYABLE_CODES: Array<[code: string, thrownAs: string]> = [
  ["RequestLimitExceeded", "RequestLimitExceeded"],
  ["RequestLimitExceeded.UinLimitExceeded", "RequestLimitExceeded"],
  ["InternalError", "InternalError"],
  ["InternalError.ServerError", "InternalError"],
  ["ServiceUnavailable.Busy", "ServiceUnavailable"],
  ["ResourceUnavailable", "ResourceUnavailable"],
  ["InternalError.DBError", "InternalError.DBError"],
  ["FailedOperation.QueryTaskInfoFailed", "FailedOperation.QueryTaskInfoFailed"],
  ["ResourceUnavailable.NeverSeenBeforeByThisFunction", "ResourceUnavailable"],
];
const TRANSPORT_FAULTS: Array<[FaultSpec, string]> = [
  [{ type: "hang" }, "UpstreamTimeout"],
  [{ type: "reset" }, "UpstreamNetworkError"],
  [{ type: "http5xx", status: 503 }, "UpstreamHttpError"],
  [{ type: "malformed-json" }, "UpstreamInvalidResponse"],
];
const NON_RETRYABLE_CODES = ["AuthFailure.SignatureFailure", "InvalidParameterValue", "UnauthorizedOperation", "FailedOperation.NeverSeenBefore"];

/** The first JSON block after `marker` in docs/workflows.md, as the page prints it. */
function docBlock(marker: string): string {
  const doc = readFileSync(join(ROOT, "docs", "workflows.md"), "utf8");
  expect(doc.indexOf(marker), `docs/workflows.md has "${marker}"`).toBeGreaterThan(0);
  const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(doc.indexOf(marker)));
  expect(block, `docs/workflows.md prints a JSON block after "${marker}"`).not.toBeNull();
  return block![1]!;
}

for (const [machine, { file, validate }] of Object.entries(MACHINES) as Array<[Machine, (typeof MACHINES)[Machine]]>) {
  describe(`${machine}: ${file}`, () => {
    const definition = load(file);
    const sfn = machine === "Step Functions";
    const retriedNames = (d: any): string[] => (d.States.DescribeRelayTask.Retry ?? []).flatMap((r: any) => r.ErrorEquals);

    it("is valid according to asl-validator", () => {
      const result = aslValidator(structuredClone(definition), validate);
      expect(result.errorsText("\n")).toBe("");
      expect(result.isValid).toBe(true);
    });

    it(sfn ? "retries exactly the retryable codes the function documents, by names it can throw" : "matches no error name but States.ALL", () => {
      const task = definition.States.DescribeRelayTask;
      const names = [...retriedNames(definition), ...task.Catch.flatMap((c: any) => c.ErrorEquals)];
      if (!sfn) return expect(new Set(names)).toEqual(new Set(["States.ALL"]));
      for (const name of names) if (!/^(States|Lambda)\./.test(name)) expect(KNOWN, `unknown error name ${name}`).toContain(name);
      const retried = new Set(retriedNames(definition));
      for (const code of KNOWN) if (describeErrorCode(code).retryable) expect(retried, `retryable ${code} is not retried`).toContain(code);
      for (const name of retried) if (KNOWN.has(name)) expect(describeErrorCode(name).retryable, `${name} is not retryable`).toBe(true);
    });

    it("poll loop: polls while the task runs, waits between polls, and succeeds once it is NotExist", async () => {
      const { taskId, end } = runningTask();
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: taskId }, { beforeCall: async (n) => (n === 3 ? end() : undefined) }); // ends between polls 2 and 3
      expect(r.status).toBe("SUCCEEDED");
      expect(r.events.filter((e) => e.type === "StateExited" && e.state!.name === "DescribeRelayTask").map((e: any) => e.state.output.relay.status)).toEqual(["InProgress", "InProgress", "NotExist"]);
      expect(r.output).toMatchObject({ SdkAppId: APP, TaskId: taskId, relay: { status: "NotExist", running: false } });
      expect(r.calls).toBe(3);
      expect(upstream()).toBe(3);
      expect(entered(r).filter((s) => s === "WaitBeforeNextPoll")).toHaveLength(2);
      expect(entered(r).at(-1)).toBe("RelayTaskEnded");
    });

    it.each(RETRYABLE_CODES)("%s is retried (thrown as %s), then the execution goes on", async (code, thrownAs) => {
      emulator.addFault({ fault: faultFor(code), times: 1 });
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED });
      expect(r).toMatchObject({ status: "SUCCEEDED", calls: 2, output: { relay: { status: "NotExist" } } });
      expect(upstream()).toBe(2);
      if (sfn) {
        expect(taskErrors(r)).toEqual([thrownAs]);
        expect(retriesBy(r)).toEqual([expect.arrayContaining([thrownAs])]);
        if (code.startsWith("RequestLimitExceeded")) expect(retriesBy(r)[0]).toEqual(["RequestLimitExceeded"]); // the throttling retrier
      } else {
        expect(entered(r)).toEqual(expect.arrayContaining(["IsFailureRetryable", "CountRetry", "Retry1", "BackOff"]));
      }
    });

    it.each(TRANSPORT_FAULTS)("transport fault %o (%s) is retried, then the execution goes on", async (fault, code) => {
      emulator.addFault({ fault, times: 1 });
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED });
      expect(r).toMatchObject({ status: "SUCCEEDED", calls: 2 });
      if (sfn) {
        expect(taskErrors(r)).toEqual([code]);
        expect(retriesBy(r)).toEqual([expect.arrayContaining([code])]);
      } else {
        expect(entered(r)).toContain("Retry1");
      }
    });

    it("throttling that does not pass: retries spent, then the Fail state with the exact code in the payload", async () => {
      emulator.addFault({ fault: { type: "api-error", code: "RequestLimitExceeded.UinLimitExceeded" } });
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED });
      expect(r).toMatchObject({ status: "FAILED", calls: 6 }); // one call and five retries
      expect(r.error).toBe(sfn ? "RequestLimitExceeded" : "RequestLimitExceeded.UinLimitExceeded");
      if (!sfn) {
        const backOffs = r.events.filter((e) => e.type === "StateEntered" && e.state!.name === "BackOff").map((e) => e.state!.input.retries.waitSeconds);
        expect(backOffs).toEqual([2, 4, 8, 16, 32]);
      }
      expect(failurePayload(machine, r)).toMatchObject({ ok: false, sdkAppId: APP, taskId: ENDED, error: { code: "RequestLimitExceeded.UinLimitExceeded", retryable: true } });
    });

    it("a transient fault that does not pass: retries spent, then the Fail state", async () => {
      emulator.addFault({ fault: { type: "api-error", code: "InternalError" } });
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED });
      expect(r).toMatchObject({ status: "FAILED", error: "InternalError", calls: sfn ? 4 : 6 });
      expect(entered(r).at(-1)).toBe("RelayTaskQueryFailed");
    });

    it.each(NON_RETRYABLE_CODES)("%s: one call, then the Fail state naming the code", async (code) => {
      emulator.addFault({ fault: { type: "api-error", code } });
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED });
      expect(r).toMatchObject({ status: "FAILED", error: code, calls: 1 });
      expect(upstream()).toBe(1);
      expect(retriesBy(r)).toEqual([]);
      const payload = failurePayload(machine, r);
      expect(payload).toMatchObject({ ok: false, sdkAppId: APP, error: { code, retryable: false } });
      expect(payload.requestId).toMatch(/^[0-9a-f-]{36}$/);
      if (!sfn) expect(r.cause).toBe(payload.error.message);
    });

    it("a TaskId the function refuses: one invocation, nothing sent upstream, the Fail state naming the code", async () => {
      const r = await run(machine, definition, { SdkAppId: APP, TaskId: "a b" });
      expect(r).toMatchObject({ status: "FAILED", error: "InvalidParameter.TaskId", calls: 1 });
      expect(upstream()).toBe(0);
    });

    it.each<[string, object]>([
      ["no TaskId", { SdkAppId: APP }],
      ["no SdkAppId", { TaskId: ENDED }],
      ["neither", {}],
    ])("%s: checked first, the Fail state with the code the function answers, not a States.Runtime path error", async (_name, input) => {
      const r = await run(machine, definition, input);
      const own = await fn.handler({ ...input, throwOnError: false }, awsContext());
      expect(own).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^MissingParameter\./) } });
      expect(r).toMatchObject({ status: "FAILED", error: own.error.code, calls: 0 });
      expect(r.cause).toContain(own.error.code.split(".")[1]);
      expect(entered(r).at(-1)).toBe("RelayTaskQueryFailed");
    });

    if (sfn) {
      it("the docs' unwrap recipe (States.StringToJson, as docs/workflows.md prints it) yields the failure payload", async () => {
        const recipe = JSON.parse(docBlock("Two Pass states"));
        const states = Object.keys(recipe);
        const withRecipe = structuredClone(definition);
        withRecipe.States.DescribeRelayTask.Catch[0].Next = states[0];
        Object.assign(withRecipe.States, recipe, { HandleFailure: { Type: "Succeed" } });
        emulator.addFault({ fault: { type: "api-error", code: "AuthFailure.SignatureFailure" } });
        const r = await run(machine, withRecipe, { SdkAppId: APP, TaskId: ENDED });
        expect(r.status).toBe("SUCCEEDED");
        expect(r.output.payload).toMatchObject({ ok: false, sdkAppId: APP, taskId: ENDED, error: { code: "AuthFailure.SignatureFailure", message: expect.any(String), retryable: false } });
        expect(r.output.payload.requestId).toMatch(/^[0-9a-f-]{36}$/);
      });

      it("the docs' wait-until Task state (as docs/workflows.md prints it) runs: one invocation, the wait satisfied", async () => {
        const snippet = JSON.parse(`{${docBlock("A Step Functions task state that waits")}}`);
        const [name] = Object.keys(snippet);
        const waiting = { StartAt: name, States: { ...snippet, [snippet[name!].Next]: { Type: "Succeed" } } };
        const r = await run(machine, JSON.parse(JSON.stringify(waiting).replaceAll("${DescribeStreamIngestFunctionArn}", "arn:aws:lambda:ap-southeast-1:123456789012:function:f")), { SdkAppId: APP, TaskId: ENDED }, { taskState: name });
        expect(r).toMatchObject({ status: "SUCCEEDED", calls: 1, output: { relay: { status: "NotExist", ended: true } } });
      });

      it("the Lambda service failing is retried by the Lambda retrier; an error nobody retries is caught at once", async () => {
        const recovered = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED }, { platformFails: { times: 1, name: "Lambda.TooManyRequestsException" } });
        expect(recovered).toMatchObject({ status: "SUCCEEDED", calls: 2 });
        const failed = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED }, { platformFails: { times: 1, name: "Sandbox.Timedout" } });
        expect(failed).toMatchObject({ status: "FAILED", error: "Sandbox.Timedout", calls: 1 });
      });
    } else {
      it("ASW failing to run the function: retried twice (States.ALL), then FunctionInvocationFailed with ASW's error", async () => {
        const recovered = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED }, { platformFails: { times: 2, name: "Platform.InvocationFailed" } });
        expect(recovered).toMatchObject({ status: "SUCCEEDED", calls: 3 });
        const failed = await run(machine, definition, { SdkAppId: APP, TaskId: ENDED }, { platformFails: { times: 3, name: "Platform.InvocationFailed" } });
        expect(failed).toMatchObject({ status: "FAILED", error: "Platform.InvocationFailed", calls: 3 });
        expect(entered(failed).at(-1)).toBe("FunctionInvocationFailed");
      });

      it("a successful poll resets the retry count", async () => {
        const { taskId, end } = runningTask();
        emulator.addFault({ fault: { type: "throttle" }, times: 1 });
        const r = await run(machine, definition, { SdkAppId: APP, TaskId: taskId }, { beforeCall: async (n) => (n === 3 ? end() : undefined) });
        expect(r).toMatchObject({ status: "SUCCEEDED", calls: 3, output: { relay: { status: "NotExist" }, retries: { count: 0 } } });
        expect(entered(r)).toEqual(expect.arrayContaining(["Retry1", "ResetRetryCount"]));
      });
    }

    describe("a broken definition fails these checks", () => {
      const throttledOnce = async (d: unknown) => {
        emulator.addFault({ fault: { type: "throttle" }, times: 1 });
        const r = await run(machine, d, { SdkAppId: APP, TaskId: ENDED });
        emulator.clearFaults();
        return r;
      };

      if (sfn) {
        it("a misspelt error name in Retry: throttling ends in the Fail state, and the name check rejects it", async () => {
          const broken = mutant(definition);
          broken.States.DescribeRelayTask.Retry[0].ErrorEquals = ["RequestLimitExceded"];
          expect(await throttledOnce(definition)).toMatchObject({ status: "SUCCEEDED" });
          expect(await throttledOnce(broken)).toMatchObject({ status: "FAILED", error: "RequestLimitExceeded", calls: 1 });
          expect(retriedNames(broken).filter((n) => !/^(States|Lambda)\./.test(n) && !KNOWN.has(n))).toEqual(["RequestLimitExceded"]);
        });
      } else {
        it("a Choice that does not retry retryable failures: throttling ends in the Fail state", async () => {
          const broken = mutant(definition);
          broken.States.IsFailureRetryable.Choices[0].BooleanEquals = false;
          expect(await throttledOnce(definition)).toMatchObject({ status: "SUCCEEDED" });
          expect(await throttledOnce(broken)).toMatchObject({ status: "FAILED", error: "RequestLimitExceeded", calls: 1 });
        });
      }

      it("without the input check, a missing TaskId is a States.Runtime path error that the Catch of States.ALL does not see", async () => {
        const broken = mutant(definition);
        broken.States.CheckInput.Choices[1].Not.Variable = "$.SdkAppId"; // the check no longer looks at TaskId
        const r = await run(machine, broken, { SdkAppId: APP });
        expect(r).toMatchObject({ status: "FAILED", error: "States.Runtime", calls: 0 });
        expect(entered(r)).not.toContain("RelayTaskQueryFailed");
      });

      it("a Choice on a misspelt path fails the execution at run time", async () => {
        const broken = mutant(definition);
        broken.States.IsRelayRunning.Choices[0].Variable = "$.relay.runing";
        const r = await run(machine, broken, { SdkAppId: APP, TaskId: ENDED });
        expect(r).toMatchObject({ status: "FAILED", error: "States.Runtime" });
      });

      it("a Choice that tests the wrong value stops while the task still runs", async () => {
        const broken = mutant(definition);
        broken.States.IsRelayRunning.Choices[0].BooleanEquals = false;
        const r = await run(machine, broken, { SdkAppId: APP, TaskId: DEMO_TASK });
        expect(r.output.relay).toMatchObject({ status: "InProgress", running: true });
      });

      it("a transition to a state that does not exist is rejected by asl-validator", () => {
        const broken = structuredClone(definition);
        broken.States.WaitBeforeNextPoll.Next = "DescribeRelayTasks";
        expect(aslValidator(broken, validate).isValid).toBe(false);
      });
    });
  });
}

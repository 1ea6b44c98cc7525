/**
 * The ready-made state machines (examples/step-functions, examples/asw): valid by asl-validator, and walked by a
 * small interpreter (test/support/asl-interpreter.ts) against the built bundle and the emulator: the happy path,
 * throttling and transient faults (Retry by error name), and a failure that ends in the Fail state (Catch). Mutated
 * copies show that a misspelt error name or a broken Choice would fail these tests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { API_ERRORS, FUNCTION_ERRORS, describeErrorCode } from "../../lib/errors";
import { execute, type Execution, type TaskError } from "../support/asl-interpreter";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, startTestEmulator } from "../support/emulator";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require("asl-validator") as (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };

const EXAMPLES = join(__dirname, "..", "..", "examples");
const load = (path: string) => JSON.parse(readFileSync(join(EXAMPLES, path), "utf8"));
const MACHINES = {
  "Step Functions": { file: "step-functions/poll-relay-task.asl.json", validate: { checkArn: true, checkPaths: true } },
  ASW: { file: "asw/poll-relay-task.json", validate: { checkArn: false, checkPaths: true } }, // qrn:, not arn:
} as const;
type Machine = keyof typeof MACHINES;

/** 30 s waits become 0.9 s; a 2 s retry interval 60 ms. */
const TIME_SCALE = 0.03;

let emulator: RunningEmulator;
let fn: Bundle;

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  // One attempt per invocation, so every upstream failure reaches the state machine's Retry (the default 3 would
  // mostly hide it inside the function).
  fn = loadBundle({ ...started.env, TRTC_MAX_ATTEMPTS: "1" });
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

/** What the platforms do with the function: Lambda's lambda:invoke integration, and ASW's SCF Invoke. */
async function invoke(resource: string, input: any): Promise<unknown> {
  const asTaskError = (error: Error): TaskError => ({
    Error: error.name,
    Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] }),
  });
  if (resource === "arn:aws:states:::lambda:invoke") {
    expect(input.FunctionName).toBeTypeOf("string");
    try {
      return { Payload: await fn.handler(input.Payload, awsContext(10_000)), StatusCode: 200, ExecutedVersion: "$LATEST" };
    } catch (error) {
      throw asTaskError(error as Error);
    }
  }
  if (/^qrn:qcs:asw:[a-z-]+:\d+:sdk:json:qcloud:scf:Invoke\/[A-Za-z0-9_-]+$/.test(resource)) {
    try {
      return await fn.main_handler(input, scfContext(10_000));
    } catch (error) {
      throw asTaskError(error as Error);
    }
  }
  throw { Error: "States.Runtime", Cause: `Unknown resource ${resource}` } satisfies TaskError;
}

const run = (definition: unknown, taskId: string) => execute(definition, { SdkAppId: APP, TaskId: taskId }, { invoke, timeScale: TIME_SCALE });
const polls = (execution: Execution) => execution.trace.filter((e) => e.state === "DescribeRelayTask" && e.type === "Task").length;
const retriesOf = (execution: Execution, error: string) => execution.trace.filter((e) => e.type === "Retry" && e.error?.Error === error);

/** The happy path's promise: the execution succeeds once the task has ended, after polling while it ran. */
async function happyPath(definition: unknown): Promise<{ holds: boolean; execution: Execution }> {
  const taskId = emulator.seedTask({ SdkAppId: APP, endsAfterSeconds: 2 });
  const execution = await run(definition, taskId);
  const output = execution.output as any;
  const holds = execution.status === "SUCCEEDED" && output?.relay?.status === "NotExist" && output.relay.running === false && polls(execution) >= 2;
  return { holds, execution };
}

/** The throttling path's promise: two throttled answers are retried by name, and the execution succeeds. */
async function throttlingPath(definition: unknown): Promise<{ holds: boolean; execution: Execution }> {
  emulator.addFault({ fault: { type: "throttle" }, times: 2 });
  const execution = await run(definition, "an-ended-task");
  emulator.clearFaults();
  const holds = execution.status === "SUCCEEDED" && retriesOf(execution, "RequestLimitExceeded").length === 2;
  return { holds, execution };
}

function errorNames(definition: any): string[] {
  const task = definition.States.DescribeRelayTask;
  return [...task.Retry, ...task.Catch].flatMap((r: any) => r.ErrorEquals as string[]);
}

for (const [machine, { file, validate }] of Object.entries(MACHINES) as Array<[Machine, (typeof MACHINES)[Machine]]>) {
  describe(`${machine}: ${file}`, () => {
    const definition = load(file);

    it("is valid according to asl-validator", () => {
      const result = aslValidator(structuredClone(definition), validate);
      expect(result.errorsText("\n")).toBe("");
      expect(result.isValid).toBe(true);
    });

    it("names only error codes the function can throw, and retries every retryable code it documents", () => {
      const known = new Set([...Object.keys(FUNCTION_ERRORS), ...Object.keys(API_ERRORS)]);
      const names = errorNames(definition);
      for (const name of names) {
        if (name.startsWith("States.") || (machine === "Step Functions" && name.startsWith("Lambda."))) continue;
        expect(known, `unknown error name ${name}`).toContain(name);
      }
      const retried = new Set(definition.States.DescribeRelayTask.Retry.flatMap((r: any) => r.ErrorEquals));
      for (const code of known) if (describeErrorCode(code).retryable) expect(retried, `retryable ${code} is not retried`).toContain(code);
      for (const name of retried as Set<string>) if (known.has(name)) expect(describeErrorCode(name).retryable, `${name} is not retryable`).toBe(true);
    });

    it("happy path: polls while the task runs, waits between polls, and succeeds once it has ended", async () => {
      const { holds, execution } = await happyPath(definition);
      expect(execution.status).toBe("SUCCEEDED");
      expect(holds).toBe(true);
      expect(execution.trace.map((e) => e.state)).toEqual(expect.arrayContaining(["IsRelayRunning", "WaitBeforeNextPoll", "RelayTaskEnded"]));
      expect((execution.output as any).SdkAppId).toBe(APP); // the input is kept for the next poll
    });

    it("throttling path: RequestLimitExceeded is retried with backoff, then the execution goes on", async () => {
      const { holds, execution } = await throttlingPath(definition);
      expect(execution.status).toBe("SUCCEEDED");
      expect(holds).toBe(true);
      const delays = retriesOf(execution, "RequestLimitExceeded").map((e) => e.retry!.delayMs);
      expect(delays).toEqual([2000 * TIME_SCALE, 4000 * TIME_SCALE]); // IntervalSeconds 2, BackoffRate 2
    });

    it("a transient upstream fault is retried", async () => {
      emulator.addFault({ fault: { type: "http5xx", status: 503 }, times: 1 });
      const execution = await run(definition, "an-ended-task");
      expect(execution.status).toBe("SUCCEEDED");
      expect(retriesOf(execution, "UpstreamHttpError")).toHaveLength(1);
    });

    it("throttling that does not pass ends in the Fail state once the retries are spent", async () => {
      emulator.addFault({ fault: { type: "throttle" } });
      const execution = await run(definition, "an-ended-task");
      expect(execution).toMatchObject({ status: "FAILED", error: "RelayTaskQueryFailed" });
      expect(retriesOf(execution, "RequestLimitExceeded")).toHaveLength(5);
    });

    it("Catch path: a failure that retrying cannot cure goes to the Fail state with the error under $.failure", async () => {
      emulator.addFault({ fault: { type: "api-error", code: "AuthFailure.SignatureFailure" } });
      const execution = await run(definition, "an-ended-task");
      expect(execution).toMatchObject({ status: "FAILED", error: "RelayTaskQueryFailed" });
      expect(execution.trace.filter((e) => e.type === "Retry")).toHaveLength(0);
      const failState = execution.trace.find((e) => e.state === "RelayTaskQueryFailed")!;
      const failure = (failState.input as any).failure as TaskError;
      expect(failure.Error).toBe("AuthFailure.SignatureFailure");
      const payload = JSON.parse(JSON.parse(failure.Cause).errorMessage);
      expect(payload).toMatchObject({ ok: false, sdkAppId: APP, error: { code: "AuthFailure.SignatureFailure", retryable: false } });
      expect(payload.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    describe("a broken definition fails these checks", () => {
      it("a misspelt error name in Retry: throttling ends in the Fail state, and the name check rejects it", async () => {
        const broken = structuredClone(definition);
        broken.States.DescribeRelayTask.Retry[0].ErrorEquals = ["RequestLimitExceded"];
        const { holds, execution } = await throttlingPath(broken);
        expect(holds).toBe(false);
        expect(execution).toMatchObject({ status: "FAILED", error: "RelayTaskQueryFailed" });
        const known = new Set([...Object.keys(FUNCTION_ERRORS), ...Object.keys(API_ERRORS)]);
        expect(errorNames(broken).filter((n) => !n.startsWith("States.") && !n.startsWith("Lambda.") && !known.has(n))).toEqual(["RequestLimitExceded"]);
      });

      it("a Choice on a misspelt path fails the execution at run time", async () => {
        const broken = structuredClone(definition);
        broken.States.IsRelayRunning.Choices[0].Variable = "$.relay.runing";
        const { holds, execution } = await happyPath(broken);
        expect(holds).toBe(false);
        expect(execution).toMatchObject({ status: "FAILED", error: "States.Runtime" });
      });

      it("a Choice that tests the wrong value stops while the task still runs", async () => {
        const broken = structuredClone(definition);
        broken.States.IsRelayRunning.Choices[0].BooleanEquals = false;
        const { holds, execution } = await happyPath(broken);
        expect(holds).toBe(false);
        expect((execution.output as any).relay.status).toBe("InProgress");
      });

      it("a transition to a state that does not exist is rejected by asl-validator", () => {
        const broken = structuredClone(definition);
        broken.States.WaitBeforeNextPoll.Next = "DescribeRelayTasks";
        expect(aslValidator(broken, validate).isValid).toBe(false);
      });
    });
  });
}

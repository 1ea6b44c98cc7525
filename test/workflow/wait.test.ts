/**
 * waitFor through the built bundle against the emulator: a task that ends on its own, time-outs and deadlines.
 * Most tests wait seconds on timers (poll intervals, a task's end, a deadline), so they run at once, each with an
 * emulator and a container of its own (its requests, faults, rate window and pacer).
 */
import { describe, it } from "vitest";
import { awsContext, scfContext } from "../support/bundle";
import { APP, DEMO_TASK, isolatedEmulator } from "../support/emulator";
import { awsHttpApiEvent } from "../support/events";

describe.concurrent("waitFor", () => {
  it("polls a task that ends after 2 s until NotExist", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolatedEmulator(onTestFinished);
    const taskId = emulator.seedTask({ SdkAppId: APP, endsAfterSeconds: 2 });
    const started = Date.now();
    const result = await fn.handler({ SdkAppId: APP, TaskId: taskId, waitFor: "NotExist", pollIntervalSeconds: 1, waitTimeoutSeconds: 10 }, awsContext(15_000));
    expect(result).toMatchObject({ ok: true, taskId, status: "NotExist", running: false, wait: { for: "NotExist", satisfied: true } });
    expect(result.wait.polls).toBeGreaterThanOrEqual(3);
    expect(result.wait.polls).toBeLessThanOrEqual(4);
    expect(result.wait.waitedMs).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - started).toBeLessThan(4500);
    expect(emulator.stats().requests).toBe(result.wait.polls);
  });

  it("is satisfied at once when the task already has the status", async ({ expect, onTestFinished }) => {
    const { fn } = await isolatedEmulator(onTestFinished);
    const result = await fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "InProgress" }, awsContext());
    expect(result).toMatchObject({ ok: true, status: "InProgress", wait: { satisfied: true, polls: 1 } });
  });

  it("answers unsatisfied when waitTimeoutSeconds is up", async ({ expect, onTestFinished }) => {
    const { fn } = await isolatedEmulator(onTestFinished);
    const result = await fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "NotExist", pollIntervalSeconds: 1, waitTimeoutSeconds: 2 }, awsContext(15_000));
    expect(result).toMatchObject({ ok: true, status: "InProgress", running: true, wait: { for: "NotExist", satisfied: false, polls: 3 } });
  });

  it.for([
    ["AWS", () => awsContext(3000)],
    ["SCF", () => scfContext(3000)],
  ] as const)("never waits past a 3 s %s invocation limit", async ([_name, context], { expect, onTestFinished }) => {
    const { fn } = await isolatedEmulator(onTestFinished);
    const started = Date.now();
    const result = await fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "NotExist", pollIntervalSeconds: 1, waitTimeoutSeconds: 60 }, context());
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ ok: true, wait: { satisfied: false } });
    expect(result.wait.polls).toBeGreaterThanOrEqual(2);
  });

  it("keeps polling through throttling until TRTC recovers", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolatedEmulator(onTestFinished);
    const taskId = emulator.seedTask({ SdkAppId: APP, endsAfterSeconds: 1 });
    emulator.addFault({ fault: { type: "throttle" }, durationMs: 1500 });
    const result = await fn.handler({ SdkAppId: APP, TaskId: taskId, waitFor: "NotExist", pollIntervalSeconds: 1, waitTimeoutSeconds: 20 }, awsContext(25_000));
    expect(result).toMatchObject({ ok: true, status: "NotExist", wait: { satisfied: true } });
  });

  it("a failure that cannot pass ends the wait, and throwOnError throws it with the wait in the payload", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolatedEmulator(onTestFinished);
    emulator.addFault({ fault: { type: "api-error", code: "AuthFailure.SignatureFailure" } });
    const event = { SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "NotExist", pollIntervalSeconds: 1 };
    const result = await fn.handler(event, awsContext());
    expect(result).toMatchObject({ ok: false, error: { code: "AuthFailure.SignatureFailure" }, wait: { satisfied: false, polls: 1 } });
    const thrown = await fn.handler({ ...event, throwOnError: true }, awsContext()).catch((error: Error) => error);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.name).toBe("AuthFailure.SignatureFailure");
    expect(JSON.parse(thrown.message)).toMatchObject({ ok: false, wait: { polls: 1 } });
  });

  it("bad wait options are refused before any upstream call", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolatedEmulator(onTestFinished);
    const result = await fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "Ended" }, awsContext());
    expect(result).toMatchObject({ ok: false, sdkAppId: APP, taskId: DEMO_TASK, error: { code: "InvalidParameter.WaitFor", retryable: false } });
    const interval = await fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "NotExist", pollIntervalSeconds: 0.1 }, awsContext());
    expect(interval.error.code).toBe("InvalidParameter.PollIntervalSeconds");
    expect(emulator.stats().requests).toBe(0);
  });

  it("task parameter errors come before wait option errors", async ({ expect, onTestFinished }) => {
    const { fn } = await isolatedEmulator(onTestFinished);
    const result = await fn.handler({ SdkAppId: APP, waitFor: "Ended" }, awsContext());
    expect(result.error.code).toBe("MissingParameter.TaskId");
  });

  it("over HTTP: waits (query text numbers accepted), refuses what a gateway could not wait for, never ignores the option", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolatedEmulator(onTestFinished);
    const taskId = emulator.seedTask({ SdkAppId: APP, endsAfterSeconds: 1 });
    const started = Date.now();
    const response = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: taskId, waitFor: "NotExist", pollIntervalSeconds: "1", waitTimeoutSeconds: "5" } }), awsContext(15_000));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "NotExist", wait: { for: "NotExist", satisfied: true } });
    expect(Date.now() - started).toBeLessThan(4000);
    const tooLong = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK, waitFor: "NotExist", waitTimeoutSeconds: "60" } }), awsContext());
    expect(tooLong.statusCode).toBe(400);
    expect(JSON.parse(tooLong.body).error).toMatchObject({ code: "InvalidParameter.WaitTimeoutSeconds" });
    expect(JSON.parse(tooLong.body).error.message).toContain("over HTTP");
    const bogus = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK, waitFor: "bogus" } }), awsContext());
    expect(bogus.statusCode).toBe(400);
  });
});

/**
 * Typed errors for workflow Retry/Catch: with TRTC_THROW_ON_ERROR (or "throwOnError" per invocation) a failed direct
 * invocation throws an Error named by the code whose message is the failure payload as JSON; HTTP events never throw.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { HTTP_EVENT_KINDS } from "../support/events";

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let returning: Bundle;
let throwing: Bundle;

beforeAll(async () => {
  ({ emulator, env } = await startTestEmulator());
  throwing = loadBundle({ ...env, TRTC_THROW_ON_ERROR: "true", TRTC_MAX_ATTEMPTS: "1" });
  returning = loadBundle({ ...env, TRTC_THROW_ON_ERROR: undefined, TRTC_MAX_ATTEMPTS: "1" });
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

const caught = (promise: Promise<unknown>) => promise.then((value) => ({ value, error: undefined as any }), (error) => ({ value: undefined, error }));

describe("the thrown error", () => {
  it("is named by the code, and its message is the failure payload a Catch with ResultPath receives", async () => {
    emulator.addFault({ fault: { type: "throttle" } });
    const { value, error } = await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()));
    expect(value).toBeUndefined();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RequestLimitExceeded");
    const payload = JSON.parse(error.message);
    expect(payload).toEqual({
      ok: false,
      sdkAppId: APP,
      taskId: DEMO_TASK,
      error: { code: "RequestLimitExceeded", message: expect.any(String), retryable: true },
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // What Lambda hands Step Functions: errorType is the name (ErrorEquals matches it), errorMessage the payload.
    const cause = JSON.parse(JSON.stringify({ errorType: error.name, errorMessage: error.message }));
    expect(JSON.parse(cause.errorMessage).error.code).toBe(cause.errorType);
  });

  it.each<[string, object, string, boolean]>([
    ["a validation failure", { SdkAppId: APP }, "MissingParameter.TaskId", false],
    ["a batch shape error", { SdkAppId: APP, TaskIds: [] }, "InvalidRequest.Batch", false],
    ["a wait option error", { SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "x" }, "InvalidParameter.WaitFor", false],
    ["an event that is not an object", ["x"] as unknown as object, "InvalidRequest.Event", false],
  ])("%s throws with its code", async (_name, event, code, retryable) => {
    const { error } = await caught(throwing.main_handler(event, scfContext()));
    expect(error?.name).toBe(code);
    expect(JSON.parse(error.message).error).toMatchObject({ code, retryable });
  });

  it("upstream faults throw their codes (UpstreamHttpError, InternalError.DBError)", async () => {
    emulator.addFault({ fault: { type: "http5xx" }, times: 1 });
    expect((await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()))).error.name).toBe("UpstreamHttpError");
    emulator.addFault({ fault: { type: "api-error", code: "InternalError.DBError" }, times: 1 });
    expect((await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()))).error.name).toBe("InternalError.DBError");
  });

  it("a success is returned as usual", async () => {
    expect(await throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext())).toMatchObject({ ok: true, status: "InProgress" });
    expect(await throwing.handler({ SdkAppId: APP, TaskId: "gone" }, awsContext())).toMatchObject({ ok: true, status: "NotExist" });
  });

  it("still writes the invocation's log line", async () => {
    const lines: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    const logged = loadBundle({ ...env, TRTC_THROW_ON_ERROR: "true", LOG_LEVEL: "info" });
    try {
      await caught(logged.handler({ SdkAppId: APP }, awsContext()));
    } finally {
      process.stdout.write = original;
      loadBundle({ LOG_LEVEL: "error" });
    }
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.message === "DescribeStreamIngest");
    expect(line).toMatchObject({ outcome: "MissingParameter.TaskId", ok: false, level: "warn" });
  });
});

describe("per-invocation override", () => {
  it('"throwOnError": true throws where the deployment returns', async () => {
    expect(await returning.handler({ SdkAppId: APP }, awsContext())).toMatchObject({ ok: false, error: { code: "MissingParameter.TaskId" } });
    const { error } = await caught(returning.handler({ SdkAppId: APP, throwOnError: true }, awsContext()));
    expect(error?.name).toBe("MissingParameter.TaskId");
  });

  it('"throwOnError": false returns where the deployment throws', async () => {
    const result = await throwing.handler({ SdkAppId: APP, throwOnError: false }, awsContext());
    expect(result).toMatchObject({ ok: false, error: { code: "MissingParameter.TaskId" } });
  });

  it("a value that is not a boolean is ignored", async () => {
    const result = await returning.handler({ SdkAppId: APP, throwOnError: "true" }, awsContext());
    expect(result.ok).toBe(false);
  });
});

describe("HTTP events are never thrown at", () => {
  for (const [kind, make] of Object.entries(HTTP_EVENT_KINDS)) {
    it(`${kind}: a failure is an HTTP response, with TRTC_THROW_ON_ERROR and throwOnError in the query and body`, async () => {
      const missing = await throwing.handler(make({ query: { SdkAppId: String(APP), throwOnError: "true" } }), awsContext());
      expect(missing.statusCode).toBe(400);
      expect(JSON.parse(missing.body).error.code).toBe("MissingParameter.TaskId");
      emulator.addFault({ fault: { type: "throttle" }, times: 1 });
      const throttled = await throwing.handler(
        make({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK, throwOnError: true }) }),
        awsContext(),
      );
      expect(throttled.statusCode).toBe(429);
      expect(JSON.parse(throttled.body).error).toMatchObject({ code: "RequestLimitExceeded", retryable: true });
    });
  }
});

/**
 * The bundle against a misbehaving or misconfigured upstream: every fault the emulator injects maps to the
 * contract's failure payload with the right retryable, retries happen only where they may help, and the
 * answer always comes before the invocation's deadline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec, RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent } from "../support/events";

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let fn: Bundle;

beforeAll(async () => {
  ({ emulator, env } = await startTestEmulator());
  fn = loadBundle({ ...env, TRTC_ATTEMPT_TIMEOUT_MS: "800" });
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

const query = { SdkAppId: APP, TaskId: DEMO_TASK };

describe("faults that persist", () => {
  it.each<[string, FaultSpec, string, boolean, number]>([
    ["HTTP 502 with an HTML body", { type: "http5xx", status: 502 }, "UpstreamHttpError", true, 502],
    ["a reset connection", { type: "reset" }, "UpstreamNetworkError", true, 502],
    ["a malformed JSON body", { type: "malformed-json" }, "UpstreamInvalidResponse", true, 502],
    ["a truncated JSON body", { type: "truncated-json" }, "UpstreamInvalidResponse", true, 502],
    ["JSON without the envelope", { type: "non-envelope-json" }, "UpstreamInvalidResponse", true, 502],
    ["InternalError.DBError", { type: "api-error", code: "InternalError.DBError" }, "InternalError.DBError", true, 502],
    ["FailedOperation.QueryTaskInfoFailed", { type: "api-error", code: "FailedOperation.QueryTaskInfoFailed" }, "FailedOperation.QueryTaskInfoFailed", true, 502],
    ["throttling", { type: "throttle" }, "RequestLimitExceeded", true, 429],
    ["AuthFailure.SignatureFailure", { type: "api-error", code: "AuthFailure.SignatureFailure" }, "AuthFailure.SignatureFailure", false, 502],
    ["a hang", { type: "hang" }, "UpstreamTimeout", true, 504],
  ])("%s", async (_name, fault, code, retryable, status) => {
    emulator.addFault({ fault });
    const started = Date.now();
    const context = awsContext(4000);
    const result = await fn.handler(query, context);
    expect(result).toMatchObject({ ok: false, sdkAppId: APP, taskId: DEMO_TASK, error: { code, retryable } });
    expect(Date.now() - started).toBeLessThan(4000);
    const attempts = emulator.stats().requests;
    expect(attempts).toBe(retryable ? 3 : 1);
    if (fault.type === "api-error" || fault.type === "throttle") expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    else expect(result.requestId).toBeNull();

    const response = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext(4000));
    expect(response.statusCode).toBe(status);
  });
});

describe("faults that pass", () => {
  it("throttling is retried with backoff and then succeeds", async () => {
    emulator.addFault({ fault: { type: "throttle" }, times: 2 });
    const result = await fn.handler(query, awsContext(10_000));
    expect(result).toMatchObject({ ok: true, status: "InProgress" });
    expect(emulator.stats().requests).toBe(3);
  });

  it("a one-off reset is retried on a new connection", async () => {
    emulator.addFault({ fault: { type: "reset" }, times: 1 });
    expect(await fn.main_handler(query, scfContext(10_000))).toMatchObject({ ok: true });
  });

  it("added latency under the attempt time-out is just slower", async () => {
    emulator.addFault({ fault: { type: "latency", ms: 300 }, times: 1 });
    expect(await fn.handler(query, awsContext(5000))).toMatchObject({ ok: true });
  });
});

describe("the deadline", () => {
  it.each([
    ["AWS", () => awsContext(1500)],
    ["SCF (no getRemainingTimeInMillis)", () => scfContext(1500)],
  ])("a hang is cut off before a 1.5 s %s limit, with UpstreamTimeout", async (_name, context) => {
    emulator.addFault({ fault: { type: "hang" } });
    const started = Date.now();
    const result = await fn.handler(query, context());
    const elapsed = Date.now() - started;
    expect(result.error).toEqual(expect.objectContaining({ code: "UpstreamTimeout", retryable: true }));
    expect(elapsed).toBeLessThan(1500);
  });
});

describe("one connection serves warm invocations", () => {
  it("keeps the TCP connection alive across invocations", async () => {
    const warm = loadBundle(env);
    for (let i = 0; i < 10; i++) expect((await warm.handler(query, awsContext())).ok).toBe(true);
    expect(emulator.stats().connections).toBe(1);
  });
});

describe("configuration", () => {
  it("an unsupported region is rejected at start-up, for every invocation, with no upstream call", async () => {
    const bad = loadBundle({ ...env, TRTC_REGION: "ap-guangzhou" });
    const result = await bad.handler(query, awsContext());
    expect(result.error.code).toBe("InvalidConfiguration.Region");
    const response = await bad.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(response.statusCode).toBe(500);
    expect(emulator.stats().requests).toBe(0);
    loadBundle({ TRTC_REGION: undefined });
  });

  it("missing credentials name the variables to set", async () => {
    const none = loadBundle({ ...env, TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined });
    const result = await none.handler(query, awsContext());
    expect(result.error).toMatchObject({ code: "InvalidConfiguration.Credentials", retryable: false });
    expect(result.error.message).toContain("TENCENTCLOUD_SECRET_ID");
    expect(emulator.stats().requests).toBe(0);
  });

  it("a wrong key is the API's AuthFailure, not retried", async () => {
    const wrong = loadBundle({ ...env, TENCENTCLOUD_SECRET_KEY: "not-the-right-key-at-all" });
    const result = await wrong.handler(query, awsContext());
    expect(result.error).toMatchObject({ code: "AuthFailure.SignatureFailure", retryable: false });
    expect(emulator.stats().requests).toBe(1);
  });

  it("the allow-list refuses other SdkAppIds with 403 before any upstream call", async () => {
    const limited = loadBundle({ ...env, TRTC_ALLOWED_SDK_APP_IDS: `${APP},1400000099` });
    expect((await limited.handler(query, awsContext())).ok).toBe(true);
    emulator.resetStats();
    const result = await limited.handler({ SdkAppId: 1400000002, TaskId: DEMO_TASK }, awsContext());
    expect(result.error).toMatchObject({ code: "Forbidden.SdkAppId", retryable: false });
    const response = await limited.handler(awsHttpApiEvent({ query: { SdkAppId: "1400000002", TaskId: DEMO_TASK } }), awsContext());
    expect(response.statusCode).toBe(403);
    expect(emulator.stats().requests).toBe(0);
  });

  it("every supported region is sent as X-TC-Region and accepted", async () => {
    for (const region of ["ap-bangkok", "ap-jakarta", "ap-mumbai"]) {
      const regional = loadBundle({ ...env, TRTC_REGION: region });
      expect(await regional.handler(query, awsContext())).toMatchObject({ ok: true, region });
    }
    loadBundle({ TRTC_REGION: undefined });
  });
});

/**
 * The bundle against its upstream configuration: connection reuse, regions, credentials, the allow-list. Faults of
 * the upstream itself are tested in test/hardening/ (hardening.test.ts: the API-level fault matrix;
 * transport.test.ts: the transport's bounds).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent } from "../support/events";

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  ({ emulator, env } = await startTestEmulator());
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

const query = { SdkAppId: APP, TaskId: DEMO_TASK };

describe("one connection serves warm invocations", () => {
  it("keeps the TCP connection alive across invocations", async () => {
    const warm = loadBundle(env);
    for (let i = 0; i < 10; i++) expect((await warm.handler(query, awsContext())).ok).toBe(true);
    expect(emulator.stats().connections).toBe(1);
  });
});

describe("the result", () => {
  it("checkedAt is when TRTC was asked, not when it answered", async () => {
    const fn = loadBundle(env);
    await fn.handler(query, awsContext()); // warm: the connection is open, so the request leaves at once
    emulator.addFault({ fault: { type: "latency", ms: 400 } });
    const before = Date.now();
    const result = await fn.handler(query, awsContext());
    const after = Date.now();
    expect(result.ok).toBe(true);
    const checkedAt = Date.parse(result.checkedAt);
    expect(after - before).toBeGreaterThanOrEqual(400);
    expect(checkedAt - before).toBeLessThan(200); // the answer came 400 ms later
  });
});

describe("configuration", () => {
  it("a region TRTC does not serve is sent, and TRTC's UnsupportedRegion answered (500, not retryable)", async () => {
    const elsewhere = loadBundle({ ...env, TRTC_REGION: "eu-frankfurt" });
    const result = await elsewhere.handler(query, awsContext());
    expect(result).toMatchObject({ ok: false, error: { code: "UnsupportedRegion", retryable: false } });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const response = await elsewhere.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(response.statusCode).toBe(500);
    loadBundle({ TRTC_REGION: undefined });
  });

  it("a malformed region is rejected at start-up, for every invocation, with no upstream call", async () => {
    const bad = loadBundle({ ...env, TRTC_REGION: "AP-SINGAPORE" });
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

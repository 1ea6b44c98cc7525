/**
 * The built bundle, invoked as each platform invokes it, with every event kind, against the emulator over real
 * HTTP with real TC3 signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, captureStdout, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { HTTP_EVENT_KINDS, tencentApiGatewayEvent } from "../support/events";

let emulator: RunningEmulator;
let fn: Bundle;

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  fn = loadBundle(started.env);
});
afterAll(() => emulator.close());

const contexts = { aws: () => awsContext(), scf: () => scfContext() };

describe("direct invocation", () => {
  for (const [platform, context] of Object.entries(contexts)) {
    const entry = platform === "aws" ? "handler" : "main_handler";
    it(`${entry} answers InProgress with the plain result object (${platform} context)`, async () => {
      const result = await fn[entry]({ SdkAppId: APP, TaskId: DEMO_TASK }, context());
      expect(result).toMatchObject({ ok: true, sdkAppId: APP, taskId: DEMO_TASK, status: "InProgress", running: true, region: "ap-singapore" });
      expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(result.checkedAt).toISOString()).toBe(result.checkedAt);
      expect(result).not.toHaveProperty("statusCode");
    });
  }

  it("answers NotExist (running: false) for an unknown task, camelCase names and string SdkAppId accepted", async () => {
    const result = await fn.handler({ sdkAppId: String(APP), taskId: "no-such-task" }, awsContext());
    expect(result).toMatchObject({ ok: true, sdkAppId: APP, taskId: "no-such-task", status: "NotExist", running: false });
  });

  it("a task of another SdkAppId does not exist for this one", async () => {
    const result = await fn.handler({ SdkAppId: APP + 1, TaskId: DEMO_TASK }, awsContext());
    expect(result.status).toBe("NotExist");
  });

  it("sends the platform request id upstream as X-TC-TraceId", async () => {
    await fn.main_handler({ SdkAppId: APP, TaskId: DEMO_TASK }, scfContext(10_000, "trace-me-123"));
    expect(emulator.stats().log.some((entry) => entry.traceId === "trace-me-123")).toBe(true);
  });

  it("invalid input never reaches the API", async () => {
    emulator.resetStats();
    const result = await fn.handler({ SdkAppId: 0, TaskId: DEMO_TASK }, awsContext());
    expect(result).toMatchObject({ ok: false, sdkAppId: null, taskId: DEMO_TASK, error: { code: "InvalidParameter.SdkAppId", retryable: false }, requestId: null });
    expect(emulator.stats().requests).toBe(0);
  });

  it("an event that is not an object is refused with InvalidRequest.Event", async () => {
    for (const event of ["SdkAppId=1", 42, null, [1, 2]]) {
      const result = await fn.handler(event, awsContext());
      expect(result.error.code).toBe("InvalidRequest.Event");
    }
  });
});

describe.each(Object.entries(HTTP_EVENT_KINDS))("%s event", (kind, makeEvent) => {
  it("GET with a query string answers 200 InProgress as JSON", async () => {
    const response = await fn.handler(makeEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress", running: true, taskId: DEMO_TASK });
  });

  it("POST with a JSON body answers 200 NotExist; the body wins over the query", async () => {
    const event = makeEvent({ method: "POST", query: { TaskId: DEMO_TASK }, body: JSON.stringify({ SdkAppId: APP, TaskId: "gone" }), headers: { "Content-Type": "application/json" } });
    const response = await fn.main_handler(event, scfContext());
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "NotExist", running: false, taskId: "gone" });
  });

  it("a base64-encoded body is decoded", async () => {
    const body = Buffer.from(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK })).toString("base64");
    const response = await fn.handler(makeEvent({ method: "POST", body, isBase64Encoded: true }), awsContext());
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress" });
  });

  it("path parameters are read", async () => {
    const response = await fn.handler(makeEvent({ path: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress" });
  });

  it.each([
    ["a body that is not JSON", { method: "POST", body: "SdkAppId=1&TaskId=x" }, 400, "InvalidRequest.Body"],
    ["a JSON body that is not an object", { method: "POST", body: "[1,2]" }, 400, "InvalidRequest.Body"],
    ["a method other than GET/POST", { method: "DELETE", query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }, 405, "InvalidRequest.Method"],
    ["a missing SdkAppId", { query: { TaskId: DEMO_TASK } }, 400, "MissingParameter.SdkAppId"],
    ["a missing TaskId", { query: { SdkAppId: String(APP) } }, 400, "MissingParameter.TaskId"],
    ["a malformed SdkAppId", { query: { SdkAppId: "12ab", TaskId: DEMO_TASK } }, 400, "InvalidParameter.SdkAppId"],
    ["a malformed TaskId", { query: { SdkAppId: String(APP), TaskId: "has space" } }, 400, "InvalidParameter.TaskId"],
    ["a body over 64 KB", { method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK, pad: "x".repeat(70_000) }) }, 413, "RequestSizeLimitExceeded"],
  ] as const)("%s gets %i %s and no upstream call", async (_name, input, status, code) => {
    emulator.resetStats();
    const response = await fn.handler(makeEvent(input), awsContext());
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code, retryable: false } });
    expect(emulator.stats().requests).toBe(0);
  });
});

describe("logging", () => {
  it("writes exactly one structured line per invocation with the outcome and no secrets", async () => {
    const local = loadBundle({ LOG_LEVEL: "info" });
    const { lines } = await captureStdout(() => local.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(10_000, "log-req-1")));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      level: "info",
      requestId: "log-req-1",
      platform: "aws",
      eventKind: "direct",
      sdkAppId: APP,
      taskId: DEMO_TASK,
      outcome: "InProgress",
      attempts: 1,
    });
    expect(line.upstreamRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof line.upstreamLatencyMs).toBe("number");
    expect(lines[0]).not.toContain(process.env.TENCENTCLOUD_SECRET_KEY);
  });

  it("LOG_LEVEL=warn hides successful invocations but shows failures", async () => {
    const local = loadBundle({ LOG_LEVEL: "warn" });
    const ok = await captureStdout(() => local.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()));
    expect(ok.lines).toHaveLength(0);
    const bad = await captureStdout(() => local.handler(tencentApiGatewayEvent({ query: { TaskId: "x" } }), scfContext(3000, "scf-req-9")));
    expect(bad.lines).toHaveLength(1);
    expect(JSON.parse(bad.lines[0]!)).toMatchObject({ level: "warn", requestId: "scf-req-9", platform: "scf", eventKind: "tencent-apigw", outcome: "MissingParameter.SdkAppId" });
  });
});

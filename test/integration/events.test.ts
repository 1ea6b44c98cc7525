/**
 * The built bundle, invoked as each platform invokes it, with every event kind, against the emulator over real
 * HTTP with real TC3 signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, captureStdout, loadBundle, minimalScfContext, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { HAS_PATH_PARAMETERS, HTTP_EVENT_KINDS, LOGGED_KIND, albMultiValueEvent, tencentApiGatewayEvent, tencentFunctionUrlEvent } from "../support/events";
import { TRIGGER_EVENTS } from "../support/trigger-events";

let emulator: RunningEmulator;
let fn: Bundle;
/** The same bundle logging at info, for the tests that read the log line. */
let logged: Bundle;

beforeAll(async () => {
  // No rate limit on either side: the answered invocations follow each other, and each would wait 55 ms for the 18/s
  // pace (most of this file's time); pacing is proven in test/workflow/batch.test.ts and test/fleet.
  const started = await startTestEmulator({ rateLimitPerSecond: 1_000_000 });
  emulator = started.emulator;
  fn = loadBundle({ ...started.env, TRTC_RATE_LIMIT_PER_SECOND: "1000000" });
  logged = loadBundle({ LOG_LEVEL: "info" });
});
afterAll(() => emulator.close());

const contexts = { aws: () => awsContext(), scf: () => scfContext(), "scf, minimal": () => minimalScfContext() };

/** An HTTP answer's headers: whatever the gateway reads them from (an ALB in multi-value mode: multiValueHeaders). */
function headersOf(response: any): Record<string, string> {
  if (response.multiValueHeaders) {
    expect(response).not.toHaveProperty("headers");
    return Object.fromEntries(Object.entries(response.multiValueHeaders as Record<string, string[]>).map(([k, v]) => [k, v.join(", ")]));
  }
  return response.headers;
}

/** The headers every answer carries, lower-case, none empty (README "HTTP answers"). */
const SECURITY_HEADERS = {
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains; preload",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
};

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

  it("a direct invocation that only lacks a parameter keeps MissingParameter.*", async () => {
    expect((await fn.handler({ TaskId: DEMO_TASK }, awsContext())).error.code).toBe("MissingParameter.SdkAppId");
    expect((await fn.main_handler({ SdkAppId: APP }, scfContext())).error.code).toBe("MissingParameter.TaskId");
    expect((await fn.main_handler({}, scfContext())).error.code).toBe("MissingParameter.SdkAppId");
  });
});

describe("events of non-HTTP triggers", () => {
  it.each(TRIGGER_EVENTS)("%s: InvalidRequest.Event, saying what arrived, nothing sent upstream", async (_name, event, words) => {
    emulator.resetStats();
    for (const [entry, context] of [["handler", awsContext()], ["main_handler", scfContext()]] as const) {
      const { value, lines } = await captureStdout(() => logged[entry](event, context));
      expect(value).toMatchObject({ ok: false, sdkAppId: null, taskId: null, error: { code: "InvalidRequest.Event", retryable: false } });
      expect(value.error.message).toContain(words);
      expect(value).not.toHaveProperty("statusCode");
      expect(JSON.parse(lines[0]!)).toMatchObject({ eventKind: "unrecognised", outcome: "InvalidRequest.Event" });
    }
    expect(emulator.stats().requests).toBe(0);
  });
});

describe.each(Object.entries(HTTP_EVENT_KINDS))("%s event", (kind, makeEvent) => {
  it.each([["handler", () => awsContext()], ["main_handler", () => scfContext()]] as const)("GET with a query string answers 200 InProgress as JSON (%s)", async (entry, context) => {
    const response = await fn[entry](makeEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), context());
    expect(response.statusCode).toBe(200);
    const headers = headersOf(response);
    expect(headers).toEqual({ "content-type": "application/json", "cache-control": "no-store", ...SECURITY_HEADERS });
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress", running: true, taskId: DEMO_TASK });
  });

  it.each([["main_handler", () => scfContext()], ["handler", () => awsContext()]] as const)("POST with a JSON body answers 200 NotExist; the body wins over the query (%s)", async (entry, context) => {
    const event = makeEvent({ method: "POST", query: { TaskId: DEMO_TASK }, body: JSON.stringify({ SdkAppId: APP, TaskId: "gone" }), headers: { "Content-Type": "application/json" } });
    const response = await fn[entry](event, context());
    expect(response.statusCode).toBe(200);
    expect(headersOf(response)["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "NotExist", running: false, taskId: "gone" });
  });

  it("a base64-encoded body is decoded", async () => {
    const body = Buffer.from(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK })).toString("base64");
    const response = await fn.handler(makeEvent({ method: "POST", body, isBase64Encoded: true }), awsContext());
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress" });
  });

  it.runIf(HAS_PATH_PARAMETERS.has(kind as keyof typeof HTTP_EVENT_KINDS))("path parameters are read", async () => {
    const response = await fn.handler(makeEvent({ path: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress" });
  });

  it("a repeated query key counts with its last value, a key without a value as missing", async () => {
    const repeated = await fn.handler(makeEvent({ query: { SdkAppId: ["1", String(APP)], TaskId: ["gone", DEMO_TASK] } }), awsContext());
    expect(JSON.parse(repeated.body)).toMatchObject({ ok: true, sdkAppId: APP, taskId: DEMO_TASK, status: "InProgress" });
    emulator.resetStats();
    const valueless = await fn.main_handler(makeEvent({ query: { SdkAppId: String(APP), TaskId: true } }), scfContext());
    expect(valueless.statusCode).toBe(400);
    expect(JSON.parse(valueless.body)).toMatchObject({ ok: false, error: { code: "MissingParameter.TaskId" } });
    expect(emulator.stats().requests).toBe(0);
  });

  it("is logged as its kind", async () => {
    const { lines } = await captureStdout(() => logged.main_handler(makeEvent({ query: { TaskId: "x" } }), scfContext()));
    expect(JSON.parse(lines[0]!)).toMatchObject({ eventKind: LOGGED_KIND[kind as keyof typeof LOGGED_KIND], outcome: "MissingParameter.SdkAppId" });
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
    expect(headersOf(response)).toMatchObject({ "content-type": "application/json", "x-content-type-options": "nosniff" });
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code, retryable: false } });
    expect(emulator.stats().requests).toBe(0);
  });
});

describe("Tencent SCF function URL, as Tencent documents it", () => {
  it("Tencent's sample request shape answers through both exports, GET and POST", async () => {
    for (const entry of ["main_handler", "handler"] as const) {
      const get = await fn[entry](tencentFunctionUrlEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), scfContext());
      expect(get).toMatchObject({ statusCode: 200, isBase64Encoded: false });
      expect(JSON.parse(get.body)).toMatchObject({ ok: true, status: "InProgress" });
      const post = await fn[entry](tencentFunctionUrlEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: "gone" }), headers: { "content-type": "application/json" } }), minimalScfContext());
      expect(JSON.parse(post.body)).toMatchObject({ ok: true, status: "NotExist" });
    }
  });
});

describe("ALB in multi-value mode", () => {
  it("reads the multi-value query and answers with multiValueHeaders only", async () => {
    const response = await fn.handler(albMultiValueEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(response).toMatchObject({ statusCode: 200, statusDescription: "200 OK", isBase64Encoded: false });
    expect(response).not.toHaveProperty("headers");
    expect(response.multiValueHeaders["content-type"]).toEqual(["application/json"]);
    expect(response.multiValueHeaders["x-content-type-options"]).toEqual(["nosniff"]);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, status: "InProgress" });
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

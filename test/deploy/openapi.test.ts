/**
 * openapi/describe-stream-ingest.openapi.json against the real thing: the built bundle, invoked with HTTP API events
 * against the emulator, must answer only status codes the document declares for that method, with bodies its
 * schemas accept, and every status code the document attributes to the function must actually occur.
 */
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { FUNCTION_ERRORS, API_ERRORS } from "../../lib/errors";
import { awsContext, loadBundle, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent, tencentApiGatewayEvent, type HttpInput } from "../support/events";

type Json = any;
const doc: Json = JSON.parse(readFileSync(join(__dirname, "..", "..", "openapi", "describe-stream-ingest.openapi.json"), "utf8"));
const route = doc.paths["/stream-ingest/status"];

/** OpenAPI 3.0's `nullable` and `$ref`s into components, as plain JSON Schema for ajv. */
function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  if (schema.$ref) return toJsonSchema(schema.$ref.split("/").slice(1).reduce((node: Json, key: string) => node[key], doc));
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable" || key === "example" || key.startsWith("x-")) continue;
    out[key] = key === "properties" ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)])) : toJsonSchema(value);
  }
  if (schema.nullable) return { anyOf: [out, { type: "null" }] };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat("date-time", (value: string) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value));
ajv.addFormat("int64", () => true);

const seen = new Map<string, Set<string>>([["get", new Set()], ["post", new Set()]]);

function check(method: "get" | "post", response: { statusCode: number; headers: Record<string, string>; body: string }) {
  const status = String(response.statusCode);
  const declared = route[method].responses[status];
  expect(declared, `${method.toUpperCase()} answered ${status}, which the document does not declare`).toBeDefined();
  expect(declared["x-source"]).toBeUndefined(); // the function never answers with a gateway-only code
  expect(response.headers["content-type"]).toBe("application/json");
  for (const header of Object.keys(declared.headers ?? {})) {
    if (header !== "retry-after" || status === "429") expect(response.headers[header], `header ${header}`).toBeDefined();
  }
  const schema = toJsonSchema(declared.content["application/json"].schema);
  const body = JSON.parse(response.body);
  const valid = ajv.validate(schema, body);
  expect(valid, `${status} body ${response.body} does not match: ${ajv.errorsText()}`).toBe(true);
  seen.get(method)!.add(status);
}

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let fn: Bundle;

const get = (query: Record<string, string>, input: HttpInput = {}) => awsHttpApiEvent({ query, ...input });
const post = (body: string) => awsHttpApiEvent({ method: "POST", body, headers: { "content-type": "application/json" } });
const good = { SdkAppId: String(APP), TaskId: DEMO_TASK };

beforeAll(async () => {
  ({ emulator, env } = await startTestEmulator());
  fn = loadBundle({ ...env, TRTC_MAX_ATTEMPTS: "1", TRTC_ATTEMPT_TIMEOUT_MS: "300", TRTC_ALLOWED_SDK_APP_IDS: `${APP},1400000002` });
});

afterAll(async () => {
  await emulator?.close();
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.0 with the route, both methods, both result shapes and the parameters' rules", () => {
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(route).sort()).toEqual(["get", "post"]);
    expect(route.get.parameters.map((p: Json) => [p.name, p.in, p.required])).toEqual([["SdkAppId", "query", true], ["TaskId", "query", true]]);
    expect(doc.components.schemas.Success.required).toEqual(expect.arrayContaining(["ok", "status", "running", "requestId"]));
    expect(doc.components.schemas.Failure.required).toEqual(expect.arrayContaining(["ok", "error", "requestId"]));
  });

  it("declares the HTTP status of every error code the function or TRTC can answer with", () => {
    for (const info of [...Object.values(FUNCTION_ERRORS), ...Object.values(API_ERRORS)]) {
      expect(route.get.responses[String(info.status)], `status ${info.status}`).toBeDefined();
      expect(route.post.responses[String(info.status)], `status ${info.status}`).toBeDefined();
    }
  });
  it("has schemas that refuse what the contract does not allow (the checks below are not vacuous)", () => {
    const success = toJsonSchema(route.get.responses["200"].content["application/json"].schema);
    const body = { ok: true, sdkAppId: APP, taskId: DEMO_TASK, status: "InProgress", running: true, region: "ap-singapore", requestId: "r", checkedAt: "2026-11-24T10:00:00.000Z" };
    expect(ajv.validate(success, body)).toBe(true);
    expect(ajv.validate(success, { ...body, running: undefined })).toBe(false);
    expect(ajv.validate(success, { ...body, region: "ap-guangzhou" })).toBe(false);
    expect(ajv.validate(success, { ...body, secretKey: "x" })).toBe(false);
  });
});

describe("real responses match the document", () => {
  it("200: InProgress and NotExist, by GET and POST, from AWS and Tencent API Gateway", async () => {
    check("get", await fn.handler(get(good), awsContext()));
    check("get", await fn.handler(get({ ...good, TaskId: "no-such-task" }), awsContext()));
    check("post", await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK })), awsContext()));
    check("post", await fn.handler(post(JSON.stringify({ SdkAppId: String(APP), TaskId: "no-such-task" })), awsContext()));
    check("get", await fn.handler(tencentApiGatewayEvent({ query: good }), awsContext()));
  });

  it("400: missing, malformed, bad body", async () => {
    check("get", await fn.handler(get({ SdkAppId: String(APP) }), awsContext()));
    check("get", await fn.handler(get({ ...good, SdkAppId: "0x10" }), awsContext()));
    check("get", await fn.handler(get({ ...good, TaskId: "has space" }), awsContext()));
    check("post", await fn.handler(post("{not json"), awsContext()));
    check("post", await fn.handler(post("[1,2]"), awsContext()));
  });

  it("403: an SdkAppId outside the allow-list", async () => {
    check("get", await fn.handler(get({ ...good, SdkAppId: "1400009999" }), awsContext()));
  });

  it("405 and 413", async () => {
    const put = await fn.handler(awsHttpApiEvent({ method: "PUT", query: good }), awsContext());
    expect(put.statusCode).toBe(405);
    check("get", put); // the same failure shape; GET and POST declare it
    check("post", await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK, pad: "x".repeat(70_000) })), awsContext()));
  });

  it("429, 502 and 504 from TRTC's faults", async () => {
    emulator.addFault({ fault: { type: "throttle" }, times: 1 });
    check("get", await fn.handler(get(good), awsContext()));
    emulator.addFault({ fault: { type: "http5xx", status: 503 }, times: 1 });
    check("post", await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK })), awsContext()));
    emulator.addFault({ fault: { type: "api-error", code: "AuthFailure.SignatureFailure" }, times: 1 });
    check("get", await fn.handler(get(good), awsContext()));
    emulator.addFault({ fault: { type: "hang" }, times: 1 });
    check("get", await fn.handler(get(good), awsContext()));
    check("post", await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK, x: 1 })), awsContext()));
    emulator.clearFaults();
  });

  it("500: the function's own configuration is wrong", async () => {
    const misconfigured = loadBundle({ ...env, TRTC_REGION: "ap-guangzhou" });
    check("get", await misconfigured.handler(get(good), awsContext()));
    const keyless = loadBundle({ ...env, TRTC_REGION: undefined, TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined });
    check("post", await keyless.handler(post(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK })), awsContext()));
  });

  it("every status code the document gives the function occurs", () => {
    for (const method of ["get", "post"] as const) {
      const functionCodes = Object.entries(route[method].responses)
        .filter(([, response]) => !(response as Json)["x-source"])
        .map(([status]) => status);
      const answered = [...seen.get("get")!, ...seen.get("post")!];
      for (const status of functionCodes) expect(answered, `status ${status}`).toContain(status);
    }
  });
});

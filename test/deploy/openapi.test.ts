/**
 * openapi/describe-stream-ingest.openapi.json against the real thing: the built bundle, invoked with HTTP API events
 * against the emulator, must answer only status codes the document declares for that method, with bodies its
 * schemas accept, and every status code the document attributes to the function must actually occur. POST bodies
 * are a single query or one of the two batch forms: real batch answers (200 BatchResult, 400 InvalidRequest.Batch /
 * InvalidRequest.BatchTooLarge) are checked the same way, and every documented request example must be answered
 * 200 with the result shape its request form promises.
 */
import Ajv from "ajv";
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { FUNCTION_ERRORS, API_ERRORS } from "../../lib/errors";
import { awsContext, loadBundle, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { albMultiValueEvent, awsHttpApiEvent, awsRestEvent, tencentApiGatewayEvent, tencentFunctionUrlEvent, type HttpInput } from "../support/events";

type Json = any;
const doc: Json = JSON.parse(readFileSync(join(__dirname, "..", "..", "openapi", "describe-stream-ingest.openapi.json"), "utf8"));
const route = doc.paths["/stream-ingest/status"];
const callback = doc.paths["/stream-ingest/callback"];

/**
 * The codes only a TRTC callback is answered with, and their HTTP status (CONTRACT.md "Callbacks"). They are checked
 * against the callback route, not the status route; lib/errors.ts gains them with the callback receiver, and where
 * it lists one, its status must be this one.
 */
const CALLBACK_ERRORS: Record<string, number> = {
  "InvalidCallback.Sign": 401,
  "InvalidCallback.Body": 400,
  "InvalidCallback.Stale": 400,
  "InvalidCallback.SdkAppId": 400,
  "Forbidden.Callback": 403,
  UpstreamRecordUnavailable: 503,
};
/** Codes both routes answer with. */
const SHARED_ERRORS: Record<string, number> = { "Forbidden.SdkAppId": 403, RequestSizeLimitExceeded: 413 };
const isCallbackOnly = (code: string) => Object.hasOwn(CALLBACK_ERRORS, code) || code.startsWith("InvalidCallback.");
/** The demo key examples/events/callbacks/ is signed with (its README). */
const DEMO_CALLBACK_KEY = "LocalEmulatorDemoCallbackKey0000";
const CALLBACK_EVENTS = join(__dirname, "..", "..", "examples", "events", "callbacks");

const converted = new WeakMap<object, Json>();

/**
 * OpenAPI 3.0's `nullable` and `$ref`s into components, as plain JSON Schema for ajv. The same document schema
 * gives the same object each time: ajv keeps a compiled validator per schema object, and compiling costs far more
 * than validating (this file validates against the same few schemas hundreds of times).
 */
function toJsonSchema(schema: Json): Json {
  if (typeof schema !== "object" || schema === null) return schema;
  if (!converted.has(schema)) converted.set(schema, convert(schema));
  return converted.get(schema);
}

function convert(schema: Json): Json {
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

/** Only what OpenAPI 3.0.3's Schema Object allows (no `const`, no type arrays, no `examples` inside a schema). */
const SCHEMA_KEYWORDS = new Set([
  "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
  "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf",
  "anyOf", "not", "items", "properties", "additionalProperties", "description", "format", "default", "nullable",
  "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example", "deprecated", "$ref",
]);
const SCHEMA_TYPES = new Set(["object", "array", "string", "number", "integer", "boolean"]);

/** Structural problems of one schema (and its sub-schemas), each as `where: what`. */
function schemaProblems(schema: Json, where: string): string[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return [`${where}: not an object`];
  const problems: string[] = [];
  if (schema.$ref) {
    const target = String(schema.$ref).startsWith("#/") ? String(schema.$ref).split("/").slice(1).reduce((node: Json, key: string) => node?.[key], doc) : undefined;
    if (target === undefined) problems.push(`${where}: $ref ${schema.$ref} does not resolve`);
    if (Object.keys(schema).length > 1) problems.push(`${where}: $ref with siblings`);
    return problems;
  }
  for (const key of Object.keys(schema)) if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith("x-")) problems.push(`${where}: keyword ${key}`);
  if (schema.type !== undefined && !SCHEMA_TYPES.has(schema.type)) problems.push(`${where}: type ${JSON.stringify(schema.type)}`);
  if (schema.type === "array" && schema.items === undefined) problems.push(`${where}: array without items`);
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    if (schema[key] !== undefined && (!Array.isArray(schema[key]) || schema[key].length === 0)) problems.push(`${where}: ${key} not a non-empty array`);
    for (const [i, sub] of (schema[key] ?? []).entries()) problems.push(...schemaProblems(sub, `${where}/${key}/${i}`));
  }
  for (const key of ["not", "items"]) if (schema[key] !== undefined) problems.push(...schemaProblems(schema[key], `${where}/${key}`));
  if (typeof schema.additionalProperties === "object") problems.push(...schemaProblems(schema.additionalProperties, `${where}/additionalProperties`));
  for (const [name, sub] of Object.entries(schema.properties ?? {})) problems.push(...schemaProblems(sub, `${where}/properties/${name}`));
  for (const name of schema.required ?? []) {
    if (schema.properties && !Object.hasOwn(schema.properties, name)) problems.push(`${where}: required ${name} is not a property`);
  }
  return problems;
}

/** Every `schema` under the paths (parameters, request bodies, responses, headers), by its JSON pointer. */
function pathSchemas(node: Json, where: string): Array<[string, Json]> {
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "schema" ? [[`${where}/schema`, value] as [string, Json]] : key === "examples" || key === "example" ? [] : pathSchemas(value, `${where}/${key}`),
  );
}

const requestContent = () => route.post.requestBody.content["application/json"];
const requestSchema = () => toJsonSchema(requestContent().schema);
/** Which request form (0 single, 1 TaskIds batch, 2 Tasks batch) a body is, by the document; -1 if none or several. */
function requestForm(body: Json): number {
  const forms = requestContent().schema.oneOf.map((form: Json) => ajv.validate(toJsonSchema(form), body));
  return forms.filter(Boolean).length === 1 ? forms.indexOf(true) : -1;
}

const seen = new Map<string, Set<string>>([["get", new Set()], ["post", new Set()]]);

function check(method: "get" | "post", answer: { statusCode: number; headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]>; body: string }) {
  // An ALB in multi-value mode reads the headers from multiValueHeaders: the same headers, one value each.
  const headers = answer.multiValueHeaders ? Object.fromEntries(Object.entries(answer.multiValueHeaders).map(([k, v]) => [k, v.join(", ")])) : answer.headers!;
  const response = { ...answer, headers };
  const status = String(response.statusCode);
  const declared = route[method].responses[status];
  expect(declared, `${method.toUpperCase()} answered ${status}, which the document does not declare`).toBeDefined();
  expect(declared["x-source"]).toBeUndefined(); // the function never answers with a gateway-only code
  expect(response.headers["content-type"]).toBe("application/json");
  for (const header of Object.keys(declared.headers ?? {})) {
    expect(header, "declared header names are lower-case, as sent").toBe(header.toLowerCase());
    if (header !== "retry-after" || status === "429") expect(response.headers[header], `header ${header}`).toBeDefined();
  }
  // Nothing sent that the document does not declare (CORS is off here), and nothing empty.
  for (const [header, value] of Object.entries(response.headers)) {
    expect(header === "content-type" || Object.hasOwn(declared.headers ?? {}, header), `undeclared header ${header}`).toBe(true);
    expect(value, `header ${header}`).not.toBe("");
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
    for (const [code, info] of [...Object.entries(FUNCTION_ERRORS), ...Object.entries(API_ERRORS)] as Array<[string, { status: number }]>) {
      // A callback's codes are the callback route's (checked below), whatever the catalogue holds.
      if (isCallbackOnly(code)) continue;
      expect(route.get.responses[String(info.status)], `status ${info.status}`).toBeDefined();
      expect(route.post.responses[String(info.status)], `status ${info.status}`).toBeDefined();
    }
  });
  it("has schemas that refuse what the contract does not allow (the checks below are not vacuous)", () => {
    const success = toJsonSchema(route.get.responses["200"].content["application/json"].schema);
    const body = { ok: true, sdkAppId: APP, taskId: DEMO_TASK, status: "InProgress", running: true, region: "ap-singapore", requestId: "r", checkedAt: "2026-11-24T10:00:00.000Z" };
    expect(ajv.validate(success, body)).toBe(true);
    expect(ajv.validate(success, { ...body, running: undefined })).toBe(false);
    expect(ajv.validate(success, { ...body, region: "ap-tokyo" })).toBe(true);
    expect(ajv.validate(success, { ...body, region: "AP-SINGAPORE" })).toBe(false);
    expect(ajv.validate(success, { ...body, secretKey: "x" })).toBe(false);
    // POST's 200 is a single result or a batch result; a batch result is refused as a single one and vice versa.
    const postSuccess = toJsonSchema(route.post.responses["200"].content["application/json"].schema);
    const batch = { ok: true, results: [body], summary: { tasks: 1, answered: 1, running: 1, failed: 0 } };
    expect(ajv.validate(postSuccess, body)).toBe(true);
    expect(ajv.validate(postSuccess, batch)).toBe(true);
    expect(ajv.validate(success, batch)).toBe(false);
    expect(ajv.validate(postSuccess, { ...batch, results: [] })).toBe(false);
    expect(ajv.validate(postSuccess, { ...batch, summary: { tasks: 1 } })).toBe(false);
    expect(ajv.validate(postSuccess, { ...batch, results: [{ ...body, secretKey: "x" }] })).toBe(false);
  });

  it("is structurally OpenAPI 3.0.3: every schema uses only 3.0 keywords and every $ref resolves", () => {
    expect(doc.openapi).toBe("3.0.3");
    const problems = [
      ...Object.entries(doc.components.schemas).flatMap(([name, schema]) => schemaProblems(schema, `#/components/schemas/${name}`)),
      ...pathSchemas(doc.paths, "#/paths").flatMap(([where, schema]) => schemaProblems(schema, where)),
    ];
    expect(problems).toEqual([]);
    for (const method of ["get", "post"] as const) {
      for (const [status, response] of Object.entries(route[method].responses) as Array<[string, Json]>) {
        expect(typeof response.description, `${method} ${status} description`).toBe("string");
        for (const content of Object.values(response.content ?? {}) as Json[]) {
          expect(content.example === undefined || content.examples === undefined, `${method} ${status}: example and examples`).toBe(true);
        }
      }
    }
    expect(route.post.requestBody.required).toBe(true);
  });

  it("documents the batch forms: POST's body is one of single, TaskIds and Tasks; 400 names the batch codes", () => {
    const forms = requestContent().schema.oneOf.map((form: Json) => form.$ref);
    expect(forms).toEqual(["#/components/schemas/StatusRequest", "#/components/schemas/BatchTaskIdsRequest", "#/components/schemas/BatchTasksRequest"]);
    expect(route.post.responses["200"].content["application/json"].schema.oneOf.map((form: Json) => form.$ref)).toEqual([
      "#/components/schemas/Success",
      "#/components/schemas/BatchResult",
    ]);
    expect(doc.components.schemas.BatchResult.properties.results.items.oneOf.map((form: Json) => form.$ref)).toEqual([
      "#/components/schemas/Success",
      "#/components/schemas/Failure",
    ]);
    for (const code of ["InvalidRequest.Batch", "InvalidRequest.BatchTooLarge"]) expect(route.post.responses["400"].description).toContain(code);
    // Codes only direct invocations can get are not promised to HTTP callers.
    for (const code of ["InvalidRequest.Event", "InvalidParameter.WaitFor", "InvalidParameter.WaitTimeoutSeconds", "InvalidParameter.PollIntervalSeconds"]) {
      for (const method of ["get", "post"] as const) expect(route[method].responses["400"].description).not.toContain(code);
      expect(doc.components.schemas.Error.properties.code.description).toContain(code);
    }
    // The request schema refuses what the function refuses as a whole.
    const taskIds = (n: number) => Array.from({ length: n }, (_, i) => `task-${i}`);
    expect(requestForm({ SdkAppId: APP, TaskId: DEMO_TASK })).toBe(0);
    expect(requestForm({ SdkAppId: String(APP), TaskIds: taskIds(100) })).toBe(1);
    expect(requestForm({ Tasks: [{ SdkAppId: APP, TaskId: DEMO_TASK }] })).toBe(2);
    for (const refused of [
      { SdkAppId: APP, TaskIds: taskIds(101) },
      { SdkAppId: APP, TaskIds: [] },
      { SdkAppId: APP, TaskIds: DEMO_TASK },
      { SdkAppId: APP, TaskId: DEMO_TASK, TaskIds: [DEMO_TASK] },
      { SdkAppId: APP, TaskIds: [DEMO_TASK], Tasks: [{ TaskId: DEMO_TASK }] },
      { Tasks: [{ SdkAppId: APP, TaskId: DEMO_TASK }], TaskIds: [DEMO_TASK] },
      { Tasks: [DEMO_TASK] },
      { Tasks: [] },
    ]) {
      expect(ajv.validate(requestSchema(), refused), JSON.stringify(refused).slice(0, 80)).toBe(false);
    }
  });

  it("has examples that its own schemas accept", () => {
    for (const [name, example] of Object.entries(requestContent().examples) as Array<[string, Json]>) {
      expect(ajv.validate(requestSchema(), example.value), `request example ${name}: ${ajv.errorsText()}`).toBe(true);
    }
    for (const method of ["get", "post"] as const) {
      for (const [status, response] of Object.entries(route[method].responses) as Array<[string, Json]>) {
        const content = response.content?.["application/json"];
        for (const [name, example] of Object.entries(content?.examples ?? {}) as Array<[string, Json]>) {
          expect(ajv.validate(toJsonSchema(content.schema), example.value), `${method} ${status} example ${name}: ${ajv.errorsText()}`).toBe(true);
        }
      }
    }
  });
});

describe("the callback route (TRTC's stream-ingest callbacks; answers validated end to end once the receiver is merged)", () => {
  const post = () => callback.post;
  const callbackRequestSchema = () => toJsonSchema(post().requestBody.content["application/json"].schema);
  const responseSchema = (status: string) => toJsonSchema(post().responses[status].content["application/json"].schema);
  const header = (name: string) => post().parameters.find((p: Json) => p.in === "header" && p.name === name);
  const relayBody = { ok: true, sdkAppId: APP, taskId: DEMO_TASK, status: "NotExist", running: false, region: "ap-singapore", requestId: "r", checkedAt: "2026-11-24T10:05:01.000Z" };

  it("is POST only, open (security: []), with the Sign and SdkAppId headers and a JSON body", () => {
    expect(Object.keys(callback)).toEqual(["post"]);
    expect(post().security).toEqual([]);
    expect(post().parameters.map((p: Json) => [p.name, p.in, p.required])).toEqual([["Sign", "header", true], ["SdkAppId", "header", true]]);
    expect(post().requestBody.required).toBe(true);
    expect(Object.keys(post().requestBody.content)).toEqual(["application/json"]);
  });

  it("declares every answer the contract gives a callback, and where each callback code goes", () => {
    const statuses = Object.keys(post().responses).sort();
    expect(statuses).toEqual(["200", "400", "401", "403", "413", "429", "503"]);
    // 429 is the AWS stage throttle's; every other status is the function's (503 may be the gateway's as well).
    expect(Object.entries(post().responses).filter(([, r]) => (r as Json)["x-source"]).map(([s]) => s)).toEqual(["429"]);
    for (const [code, status] of Object.entries({ ...CALLBACK_ERRORS, ...SHARED_ERRORS })) {
      expect(post().responses[String(status)].description, code).toContain(`\`${code}\``);
      expect(doc.components.schemas.CallbackFailure.properties.error.properties.code.enum, code).toContain(code);
      // Once lib/errors.ts lists the code, the catalogue and the document agree on its status.
      const catalogued = (FUNCTION_ERRORS as Record<string, { status: number }>)[code];
      if (catalogued) expect(catalogued.status, code).toBe(status);
    }
    // Only the record store's 503 is retryable.
    expect(post().responses["503"].description).toContain("retryable");
    // No callback code is promised to status callers.
    for (const code of Object.keys(CALLBACK_ERRORS)) {
      for (const method of ["get", "post"] as const) {
        for (const response of Object.values(route[method].responses) as Json[]) expect(response.description).not.toContain(code);
      }
    }
    for (const [status, response] of Object.entries(post().responses) as Array<[string, Json]>) {
      expect(typeof response.description, `callback ${status} description`).toBe("string");
      if (!response["x-source"]) expect(Object.keys(response.headers ?? {}).sort(), `callback ${status} headers`).toEqual(Object.keys(route.post.responses["413"].headers).sort());
    }
  });

  it("has answer schemas that refuse what the contract does not allow", () => {
    const accepted = responseSchema("200");
    expect(ajv.validate(accepted, { code: 0 })).toBe(true);
    for (const refused of [{ code: 1 }, { code: 0, ok: true }, {}, { code: "0" }]) expect(ajv.validate(accepted, refused), JSON.stringify(refused)).toBe(false);

    const failure = responseSchema("401");
    const good = { code: 401, error: { code: "InvalidCallback.Sign", message: "The callback's Sign does not match its body" } };
    expect(ajv.validate(failure, good)).toBe(true);
    expect(ajv.validate(failure, { ...good, error: { ...good.error, retryable: false } })).toBe(true);
    for (const refused of [
      { ...good, code: 0 },
      { ...good, error: { code: "InvalidCallback.Sign" } },
      { ...good, error: { ...good.error, code: "InvalidParameter.TaskId" } },
      { ...good, error: { ...good.error, expected: "nmnY2X95p2Wo4ZW2ZwB3fa7X7dQg8whYJgeicRyHyEA=" } },
      { ...good, ok: false },
    ]) {
      expect(ajv.validate(failure, refused), JSON.stringify(refused)).toBe(false);
    }
    // 503: the function's UpstreamRecordUnavailable, or the gateway's own message.
    const unavailable = responseSchema("503");
    expect(ajv.validate(unavailable, { code: 503, error: { code: "UpstreamRecordUnavailable", message: "…", retryable: true } })).toBe(true);
    expect(ajv.validate(unavailable, { message: "Service Unavailable" })).toBe(true);
  });

  it("describes TRTC's body: group 7 with its fields, another group as is; EventMsTs a number or a string of digits", () => {
    const schema = callbackRequestSchema();
    const started = post().requestBody.content["application/json"].examples.started.value;
    expect(ajv.validate(schema, started), ajv.errorsText()).toBe(true);
    expect(ajv.validate(schema, { ...started, EventInfo: { ...started.EventInfo, EventMsTs: "1795514400000" } })).toBe(true);
    expect(ajv.validate(schema, { ...started, Extra: "TRTC may add fields" })).toBe(true);
    expect(ajv.validate(schema, { EventGroupId: 1, EventType: 103, CallbackTs: 1795514400123, EventInfo: { RoomId: 12345 } })).toBe(true);
    for (const refused of [
      { ...started, EventInfo: undefined },
      { ...started, CallbackMsTs: undefined },
      { ...started, EventInfo: { ...started.EventInfo, EventMsTs: "12a" } },
      { ...started, EventInfo: { ...started.EventInfo, TaskId: "has space" } },
      { ...started, EventInfo: { ...started.EventInfo, Status: undefined } },
      { ...started, EventGroupId: "7" },
      { EventType: 701 },
    ]) {
      expect(ajv.validate(schema, JSON.parse(JSON.stringify(refused))), JSON.stringify(refused)).toBe(false);
    }
    expect(ajv.validate(toJsonSchema(header("SdkAppId").schema), "1400000001")).toBe(true);
    for (const refused of ["0", "01400000001", "14000000011", "abc", ""]) expect(ajv.validate(toJsonSchema(header("SdkAppId").schema), refused), refused).toBe(false);
  });

  it("has examples that its own schemas accept, the Sign example included", () => {
    for (const [name, example] of Object.entries(post().requestBody.content["application/json"].examples) as Array<[string, Json]>) {
      expect(ajv.validate(callbackRequestSchema(), example.value), `request example ${name}: ${ajv.errorsText()}`).toBe(true);
    }
    for (const [status, response] of Object.entries(post().responses) as Array<[string, Json]>) {
      const content = response.content?.["application/json"];
      for (const [name, example] of Object.entries(content?.examples ?? {}) as Array<[string, Json]>) {
        expect(ajv.validate(toJsonSchema(content.schema), example.value), `callback ${status} example ${name}: ${ajv.errorsText()}`).toBe(true);
      }
    }
    // The Sign example is the started example's signature with the demo key, as TRTC would compute it.
    const started = JSON.stringify(post().requestBody.content["application/json"].examples.started.value);
    expect(header("Sign").schema.example).toBe(createHmac("sha256", DEMO_CALLBACK_KEY).update(started).digest("base64"));
  });

  it("adds the relay's story to a success (single and batch): phase, since, events known and unknown", () => {
    const single = toJsonSchema(route.get.responses["200"].content["application/json"].schema);
    const batch = toJsonSchema(route.post.responses["200"].content["application/json"].schema);
    const relay = doc.components.schemas.Relay.example;
    expect(ajv.validate(single, { ...relayBody, cached: true, relay }), ajv.errorsText()).toBe(true);
    expect(ajv.validate(batch, { ok: true, results: [{ ...relayBody, relay }], summary: { tasks: 1, answered: 1, running: 0, failed: 0 } }), ajv.errorsText()).toBe(true);
    const unknown = { event: "unknown", eventType: 703, status: 0, at: "2026-11-24T10:01:00.000Z" };
    expect(ajv.validate(single, { ...relayBody, relay: { ...relay, events: [...relay.events, unknown] } })).toBe(true);
    // Only unknown events: no phase yet.
    expect(ajv.validate(single, { ...relayBody, relay: { events: [unknown] } })).toBe(true);
    const twenty = Array.from({ length: 20 }, (_, i) => ({ event: "restarting", at: new Date(Date.UTC(2026, 10, 24, 10, i)).toISOString() }));
    expect(ajv.validate(single, { ...relayBody, relay: { phase: "restarting", since: twenty.at(-1)!.at, events: twenty } })).toBe(true);
    for (const refused of [
      { ...relay, phase: "running" },
      { ...relay, events: [] },
      { ...relay, events: [...twenty, twenty[0]] },
      { ...relay, events: [{ event: "started" }] },
      { ...relay, events: [{ event: "unknown", at: "2026-11-24T10:01:00.000Z" }] },
      { ...relay, events: [{ event: "stopped", at: "2026-11-24T10:05:00.000Z", status: 0 }] },
      { ...relay, taskId: DEMO_TASK },
      { phase: "stopped", since: "2026-11-24T10:05:00.000Z" },
    ]) {
      expect(ajv.validate(single, { ...relayBody, relay: refused }), JSON.stringify(refused)).toBe(false);
    }
  });

  it("examples/events/callbacks/: every fixture is a documented callback, signed with the demo key over its raw bytes", () => {
    const files = readdirSync(CALLBACK_EVENTS).filter((name) => name.endsWith(".json")).sort();
    expect(files).toEqual(["aws-http-api-started.json", "aws-http-api-stopped-base64.json", "tencent-function-url-started.json", "tencent-function-url-stopped.json"]);
    const kinds = new Set<string>();
    for (const name of files) {
      const event = JSON.parse(readFileSync(join(CALLBACK_EVENTS, name), "utf8"));
      const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
      const headers = Object.fromEntries(Object.entries(event.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
      expect(headers.sign, name).toBe(createHmac("sha256", DEMO_CALLBACK_KEY).update(raw).digest("base64"));
      expect(ajv.validate(toJsonSchema(header("Sign").schema), headers.sign), name).toBe(true);
      expect(ajv.validate(toJsonSchema(header("SdkAppId").schema), headers.sdkappid), name).toBe(true);
      expect(headers["content-type"], name).toBe("application/json");
      expect(Number(headers["content-length"]), name).toBe(raw.length);
      const body = JSON.parse(raw.toString("utf8"));
      expect(ajv.validate(toJsonSchema(doc.components.schemas.StreamIngestCallback), body), `${name}: ${ajv.errorsText()}`).toBe(true);
      expect(body.EventInfo.TaskId, name).toBe(DEMO_TASK);
      expect(Number(headers.sdkappid), name).toBe(APP);
      // The kind each file stands for, by the shape lib/events.ts recognises.
      if (event.version === "2.0") {
        expect(event.requestContext.http.method, name).toBe("POST");
        expect(event.routeKey, name).toBe("POST /stream-ingest/callback");
        kinds.add(event.isBase64Encoded ? "aws-http base64" : "aws-http");
      } else {
        expect(Object.keys(event).sort(), name).toEqual(["body", "headers", "httpMethod", "path", "queryString"]);
        expect(event.httpMethod, name).toBe("POST");
        kinds.add("tencent-function-url");
      }
    }
    expect([...kinds].sort()).toEqual(["aws-http", "aws-http base64", "tencent-function-url"]);
  });
});

describe("real responses match the document", () => {
  it("names the function URL among its servers", () => {
    expect(doc.servers.map((server: Json) => server.url)).toContain("https://{appId}-{urlId}.{region}.tencentscf.com");
  });

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

  it("200: a batch with InProgress, NotExist, a malformed and a refused task, in both forms and in camel case", async () => {
    const taskIds = await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskIds: [DEMO_TASK, "no-such-task", "has space", DEMO_TASK] })), awsContext());
    check("post", taskIds);
    const byIds = JSON.parse(taskIds.body);
    expect(byIds.results.map((r: Json) => r.status ?? r.error.code)).toEqual(["InProgress", "NotExist", "InvalidParameter.TaskId", "InProgress"]);
    expect(byIds.summary).toEqual({ tasks: 4, answered: 3, running: 2, failed: 1 });
    expect(byIds.ok).toBe(false);

    const tasks = await fn.handler(
      post(JSON.stringify({ Tasks: [{ SdkAppId: APP, TaskId: "no-such-task" }, { SdkAppId: 1400009999, TaskId: DEMO_TASK }, { TaskId: DEMO_TASK }, { SdkAppId: String(APP), TaskId: DEMO_TASK }] })),
      awsContext(),
    );
    check("post", tasks);
    expect(JSON.parse(tasks.body).results.map((r: Json) => r.status ?? r.error.code)).toEqual(["NotExist", "Forbidden.SdkAppId", "MissingParameter.SdkAppId", "InProgress"]);

    const camel = await fn.handler(post(JSON.stringify({ sdkAppId: APP, taskIds: [DEMO_TASK] })), awsContext());
    check("post", camel);
    expect(JSON.parse(camel.body)).toMatchObject({ ok: true, summary: { tasks: 1, answered: 1, running: 1, failed: 0 } });
  });

  it("400: a refused batch (InvalidRequest.BatchTooLarge, InvalidRequest.Batch), by POST and by GET", async () => {
    const tooLarge = await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskIds: Array.from({ length: 101 }, (_, i) => `task-${i}`) })), awsContext());
    check("post", tooLarge);
    expect(tooLarge.statusCode).toBe(400);
    expect(JSON.parse(tooLarge.body).error.code).toBe("InvalidRequest.BatchTooLarge");
    for (const body of [
      { SdkAppId: APP, TaskIds: [] },
      { SdkAppId: APP, TaskIds: DEMO_TASK },
      { SdkAppId: APP, TaskIds: [DEMO_TASK], Tasks: [{ TaskId: DEMO_TASK }] },
      { SdkAppId: APP, TaskId: DEMO_TASK, TaskIds: [DEMO_TASK] },
      { Tasks: [DEMO_TASK] },
    ]) {
      const refused = await fn.handler(post(JSON.stringify(body)), awsContext());
      check("post", refused);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(refused.body).error.code).toBe("InvalidRequest.Batch");
    }
    const byQuery = await fn.handler(get({ SdkAppId: String(APP), TaskIds: DEMO_TASK }), awsContext());
    check("get", byQuery);
    expect(JSON.parse(byQuery.body).error.code).toBe("InvalidRequest.Batch");
  });

  it("every documented request example is answered 200 with the result its form promises", async () => {
    for (const [name, example] of Object.entries(requestContent().examples) as Array<[string, Json]>) {
      const response = await fn.handler(post(JSON.stringify(example.value)), awsContext());
      check("post", response);
      expect(response.statusCode, `example ${name}`).toBe(200);
      const body = JSON.parse(response.body);
      const form = requestForm(example.value);
      expect(form, `example ${name} matches exactly one request form`).toBeGreaterThanOrEqual(0);
      if (form === 0) {
        expect(ajv.validate(toJsonSchema(doc.components.schemas.Success), body), `example ${name}`).toBe(true);
      } else {
        expect(ajv.validate(toJsonSchema(doc.components.schemas.BatchResult), body), `example ${name}`).toBe(true);
        const named = example.value.TaskIds ?? example.value.Tasks;
        expect(body.results).toHaveLength(named.length);
        expect(body.ok, `example ${name}: every task answered`).toBe(true);
      }
    }
  });

  // One upstream call here: the emulator's 20 requests/s is shared with the tests around it.
  it("the other gateways' answers too: REST API, ALB multi-value, Tencent function URL", async () => {
    check("get", await fn.main_handler(tencentFunctionUrlEvent({ query: good })));
    check("post", await fn.main_handler(tencentFunctionUrlEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP }) })));
    check("get", await fn.handler(awsRestEvent({ query: { SdkAppId: String(APP) } }), awsContext()));
    check("get", await fn.handler(albMultiValueEvent({ query: { ...good, SdkAppId: "abc" } }), awsContext()));
  });

  // Before the 500 case: it loads a bundle without keys, and keys are read from the environment at every invocation.
  it("waits over HTTP: a wait's answer carries `wait`; more than 25 s is 400, as GET's description says", async () => {
    const waited = await fn.handler(get({ ...good, waitFor: "InProgress", waitTimeoutSeconds: "5" }), awsContext());
    check("get", waited);
    expect(JSON.parse(waited.body).wait).toMatchObject({ for: "InProgress", satisfied: true, polls: 1 });
    const posted = await fn.handler(post(JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "InProgress", pollIntervalSeconds: 1 })), awsContext());
    check("post", posted);
    expect(JSON.parse(posted.body).wait).toMatchObject({ for: "InProgress", satisfied: true });
    const tooLong = await fn.handler(get({ ...good, waitFor: "NotExist", waitTimeoutSeconds: "26" }), awsContext());
    check("get", tooLong);
    expect([tooLong.statusCode, JSON.parse(tooLong.body).error.code]).toEqual([400, "InvalidParameter.WaitTimeoutSeconds"]);
    expect(route.get.description).toContain("25");
    // The request schema says what the function refuses: waitFor with a batch.
    expect(ajv.validate(requestSchema(), { SdkAppId: APP, TaskIds: [DEMO_TASK], waitFor: "NotExist" })).toBe(false);
    expect(requestForm({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "NotExist", waitTimeoutSeconds: "2.5" })).toBe(0);
  });

  it("the callback route answers what is not a callback with the 400 it declares, in the callback answer's shape", async () => {
    const onCallbackRoute = (body: string) => ({ ...post(body), rawPath: "/stream-ingest/callback", routeKey: "POST /stream-ingest/callback" });
    for (const body of [JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK }), "{not json"]) {
      const answer = await fn.handler(onCallbackRoute(body), awsContext());
      expect(answer.statusCode, body).toBe(400);
      expect(JSON.parse(answer.body), body).toMatchObject({ code: 400, error: { code: "InvalidRequest.Body" } });
      expect(ajv.validate(toJsonSchema(callback.post.responses["400"].content["application/json"].schema), JSON.parse(answer.body)), ajv.errorsText()).toBe(true);
    }
    expect(callback.post.responses["400"].description).toContain("`InvalidRequest.Body`");
  });

  it("500: the function's own configuration is wrong", async () => {
    const misconfigured = loadBundle({ ...env, TRTC_REGION: "AP-SINGAPORE" });
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

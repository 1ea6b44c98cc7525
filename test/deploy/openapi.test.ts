/**
 * openapi/describe-stream-ingest.openapi.json against the real thing: the built bundle, invoked with HTTP API events
 * against the emulator, must answer only status codes the document declares for that method, with bodies its
 * schemas accept, and every status code the document attributes to the function must actually occur. POST bodies
 * are a single query or one of the two batch forms: real batch answers (200 BatchResult, 400 InvalidRequest.Batch /
 * InvalidRequest.BatchTooLarge) are checked the same way, and every documented request example must be answered
 * 200 with the result shape its request form promises.
 */
import Ajv from "ajv";
import { readFileSync } from "node:fs";
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

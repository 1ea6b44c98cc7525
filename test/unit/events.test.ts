import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, headersOf, httpRequestOf, isHttpKind, parseJsonBody, recogniseEvent, type HttpEventKind } from "../../lib/events";
import { parameterSources } from "../../lib/input";
import { TrtcFunctionError } from "../../lib/errors";
import { corsHeaders, httpReplyFor, httpResponse } from "../../lib/http-response";
import {
  HTTP_EVENT_KINDS,
  LOGGED_KIND,
  albEvent,
  albMultiValueEvent,
  awsHttpApiEvent,
  awsRestEvent,
  functionUrlEvent,
  tencentApiGatewayEvent,
  tencentFunctionUrlEvent,
} from "../support/events";
import { TRIGGER_EVENTS } from "../support/trigger-events";

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as TrtcFunctionError;
  }
  return undefined;
};

const codeOf = (fn: () => unknown) => errorOf(fn)?.code;

describe("recogniseEvent", () => {
  it.each([
    ["aws-rest", awsRestEvent()],
    ["aws-http", awsHttpApiEvent()],
    ["aws-http", functionUrlEvent()],
    ["aws-rest", albEvent()],
    ["aws-rest", albMultiValueEvent()],
    ["tencent-function-url", tencentFunctionUrlEvent()],
    ["tencent-function-url", tencentFunctionUrlEvent({ method: "POST", body: "{}" })],
    // Tencent's own sample, word for word (Function URL Overview, event function request).
    ["tencent-function-url", { body: '{"test":"hello world"}', headers: { accept: "*/*", "content-length": "17", "x-scf-remote-addr": "111.206.96.145" }, httpMethod: "POST", path: "/", queryString: { a: "1", b: "2" } }],
    // A function URL request without a query still carries the client's address.
    ["tencent-function-url", { body: "", headers: { "X-Scf-Remote-Addr": "203.0.113.7" }, httpMethod: "GET", path: "/" }],
    ["tencent-apigw", tencentApiGatewayEvent()],
    ["direct", { SdkAppId: 1, TaskId: "a" }],
    ["direct", {}],
    ["direct", { httpMethod: "GET" }], // a method alone is not an HTTP event
    ["aws-rest", { httpMethod: "GET", headers: {}, path: "/" }], // ALB-shaped
  ])("recognises %s", (kind, event) => {
    expect(recogniseEvent(event)).toBe(kind);
  });

  it.each([null, undefined, "x", 1, [], [{ SdkAppId: 1 }], true])("refuses %j", (event) => {
    expect(recogniseEvent(event)).toBeUndefined();
  });

  it("does not take a direct invocation with a version field for an HTTP API event", () => {
    expect(recogniseEvent({ version: "2.0", SdkAppId: 1, TaskId: "a" })).toBe("direct");
  });

  it("every test builder's events are recognised as the kind they are logged as", () => {
    for (const [name, make] of Object.entries(HTTP_EVENT_KINDS)) {
      expect(recogniseEvent(make({ method: "POST" })), name).toBe(LOGGED_KIND[name as keyof typeof LOGGED_KIND]);
    }
  });

  it("keeps isHttpKind true for every HTTP kind, the new one included", () => {
    for (const kind of ["aws-rest", "aws-http", "tencent-function-url", "tencent-apigw"] as const) expect(isHttpKind(kind)).toBe(true);
    expect(isHttpKind("direct")).toBe(false);
  });
});

describe("non-HTTP trigger events", () => {
  it.each(TRIGGER_EVENTS)("%s is no kind: InvalidRequest.Event, naming what arrived", (_name, event, words) => {
    expect(recogniseEvent(event)).toBeUndefined();
    const error = errorOf(() => parameterSources(recogniseEvent(event), event));
    expect(error?.code).toBe("InvalidRequest.Event");
    expect(error?.message).toContain(words);
    expect(error?.message).toContain("not a status query");
  });

  it.each([
    ["an empty object", {}],
    ["a TaskId only", { TaskId: "a" }],
    ["an SdkAppId only, with a Records array beside it", { SdkAppId: 1, Records: [{ eventSource: "aws:sqs" }] }],
    ["a scheduled rule's constant input", { SdkAppId: 1400000001, TaskId: "t", source: "aws.events", "detail-type": "Scheduled Event" }],
  ])("a direct invocation with %s stays direct (its parameter codes apply)", (_name, event) => {
    expect(recogniseEvent(event)).toBe("direct");
    expect(parameterSources("direct", event)).toEqual([event]);
  });
});

describe("httpRequestOf", () => {
  it("reads the method from requestContext.http for payload 2.0", () => {
    const request = httpRequestOf("aws-http", awsHttpApiEvent({ method: "post" }) as never);
    expect(request.method).toBe("POST");
  });

  it("reads Tencent's queryString and queryStringParameters", () => {
    const event = { ...tencentApiGatewayEvent(), queryString: { TaskId: "a" }, queryStringParameters: { SdkAppId: "1" } };
    expect(httpRequestOf("tencent-apigw", event as never).query).toEqual({ SdkAppId: "1", TaskId: "a" });
  });

  it("reads a function URL's queryString and body, and its lower-case headers", () => {
    const request = httpRequestOf("tencent-function-url", tencentFunctionUrlEvent({ method: "post", query: { TaskId: "a" }, body: '{"SdkAppId":1}', headers: { Origin: "https://x.example" } }) as never);
    expect(request).toMatchObject({ method: "POST", query: { TaskId: "a" }, body: '{"SdkAppId":1}', isBase64Encoded: false, path: {} });
    expect(headersOf(tencentFunctionUrlEvent({ headers: { Origin: "https://x.example" } })).origin).toBe("https://x.example");
  });

  it("reads an ALB in multi-value mode from its multi-value maps, URL-decoded", () => {
    const request = httpRequestOf("aws-rest", albMultiValueEvent({ query: { TaskId: "a/b c", SdkAppId: "1" }, headers: { Origin: "https://x.example" } }) as never);
    expect(request.query).toEqual({ TaskId: "a/b c", SdkAppId: "1" });
    expect(headersOf(albMultiValueEvent({ headers: { Origin: "https://x.example" } })).origin).toBe("https://x.example");
    expect(httpRequestOf("aws-rest", albEvent({ query: { TaskId: "x%y+z" } }) as never).query).toEqual({ TaskId: "x%y+z" });
    // As a client's query arrives at the ALB: escapes decoded, `+` a space, broken escapes left as they are.
    const raw = { ...albEvent(), queryStringParameters: { "Task%49d": "x%2Fy+z", SdkAppId: "%zz1" } };
    expect(httpRequestOf("aws-rest", raw as never).query).toEqual({ TaskId: "x/y z", SdkAppId: "%zz1" });
  });

  it("treats a null query and body as absent (REST API sends null)", () => {
    const request = httpRequestOf("aws-rest", awsRestEvent() as never);
    expect(request.query).toEqual({});
    expect(request.body).toBeUndefined();
  });
});

describe("parseJsonBody", () => {
  it("parses plain and base64 bodies; empty or blank bodies are no body", () => {
    expect(parseJsonBody('{"a":1}', false)).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('{"a":1}').toString("base64"), true)).toEqual({ a: 1 });
    expect(parseJsonBody(undefined, false)).toEqual({});
    expect(parseJsonBody("  \n", false)).toEqual({});
  });

  it.each([
    ["not JSON", "SdkAppId=1", false],
    ["a JSON array", "[1]", false],
    ["JSON null", "null", false],
    ["a JSON string", '"x"', false],
    ["base64 that is not base64", "%%%", true],
    ["base64 of bytes that are not UTF-8", Buffer.from([0xff, 0xfe, 0x7b]).toString("base64"), true],
  ])("refuses %s with InvalidRequest.Body", (_name, body, base64) => {
    expect(codeOf(() => parseJsonBody(body, base64))).toBe("InvalidRequest.Body");
  });

  it("refuses bodies over the limit with RequestSizeLimitExceeded, plain or base64", () => {
    const big = JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) });
    expect(codeOf(() => parseJsonBody(big, false))).toBe("RequestSizeLimitExceeded");
    expect(codeOf(() => parseJsonBody(Buffer.from(big).toString("base64"), true))).toBe("RequestSizeLimitExceeded");
    expect(() => parseJsonBody(JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES - 100) }), false)).not.toThrow();
  });

  it("keeps __proto__ an own key: no prototype pollution", () => {
    const parsed = parseJsonBody('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}', false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});

/** Every HTTP builder, with the kind its events are read as. */
const HTTP_BUILDERS = Object.entries(HTTP_EVENT_KINDS).map(([name, make]) => [name, make, LOGGED_KIND[name as keyof typeof LOGGED_KIND] as HttpEventKind] as const);

describe("one rule for repeated and valueless query keys, on every kind", () => {
  it.each(HTTP_BUILDERS)("%s: a repeated key counts with its last value", (_name, make, kind) => {
    const query = httpRequestOf(kind, make({ query: { SdkAppId: ["1", "2"], TaskId: ["first", "a,b"] } }) as never).query;
    expect(query).toMatchObject({ SdkAppId: "2", TaskId: "a,b" });
  });

  it.each(HTTP_BUILDERS)("%s: a key without a value counts as absent", (_name, make, kind) => {
    const query = httpRequestOf(kind, make({ query: { SdkAppId: "1", TaskId: true } }) as never).query;
    expect(query.SdkAppId).toBe("1");
    expect(query.TaskId ?? "").toBe(""); // "" and absent are the same to params.ts: MissingParameter.TaskId
  });
});

describe("httpResponse", () => {
  const cors = httpReplyFor(awsHttpApiEvent({ headers: { ORIGIN: "https://a.example" } }), ["https://a.example", "https://b.example"]).headers;

  it("writes lower-case headers, none empty: the security headers, JSON, no-store, and the request's CORS headers", () => {
    const answer = httpResponse(200, "{}", { shape: "plain", headers: cors });
    expect(answer).toMatchObject({ statusCode: 200, body: "{}", isBase64Encoded: false });
    const headers = answer.headers as Record<string, string>;
    expect(headers).toMatchObject({ "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff", vary: "Origin", "access-control-allow-origin": "https://a.example" });
    for (const [name, value] of Object.entries(headers)) expect([name, value]).toEqual([name.toLowerCase(), expect.stringMatching(/./)]);
  });

  it("answers an ALB in multi-value mode with multiValueHeaders only, and a status description", () => {
    const finished = httpResponse(200, "{}", httpReplyFor(albMultiValueEvent(), undefined));
    expect(finished).toMatchObject({ statusCode: 200, statusDescription: "200 OK", multiValueHeaders: { "content-type": ["application/json"] }, body: "{}", isBase64Encoded: false });
    expect(finished).not.toHaveProperty("headers");
    expect(httpResponse(429, "{}", httpReplyFor(albEvent(), undefined))).toMatchObject({ statusDescription: "429 Too Many Requests", headers: { "retry-after": "1" } });
  });

  it("CORS: a listed origin is allowed, `*` allows any, others get no allow-origin; vary when the answer depends on it", () => {
    expect(corsHeaders(undefined, "https://a.example")).toEqual({});
    expect(corsHeaders(["https://a.example"], "https://a.example")).toEqual({ "access-control-allow-headers": "content-type", "access-control-allow-methods": "GET,POST", "access-control-max-age": "600", "access-control-allow-origin": "https://a.example" });
    expect(corsHeaders(["https://a.example"], "https://evil.example")).not.toHaveProperty("access-control-allow-origin");
    expect(corsHeaders(["*"], "https://x.example")).toMatchObject({ "access-control-allow-origin": "*" });
    expect(corsHeaders(["*"], "https://x.example")).not.toHaveProperty("vary");
    expect(corsHeaders(["https://a.example", "*"], "https://a.example")).toMatchObject({ "access-control-allow-origin": "https://a.example", vary: "Origin" });
  });
});

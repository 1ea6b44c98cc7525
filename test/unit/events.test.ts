import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, httpRequestOf, parseJsonBody, recogniseEvent } from "../../lib/events";
import { TrtcFunctionError } from "../../lib/errors";
import { awsHttpApiEvent, awsRestEvent, functionUrlEvent, tencentApiGatewayEvent } from "../support/events";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as TrtcFunctionError).code;
  }
  return undefined;
};

describe("recogniseEvent", () => {
  it.each([
    ["aws-rest", awsRestEvent()],
    ["aws-http", awsHttpApiEvent()],
    ["aws-http", functionUrlEvent()],
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

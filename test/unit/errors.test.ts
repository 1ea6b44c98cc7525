import { describe, expect, it } from "vitest";
import { API_ERRORS, FUNCTION_ERRORS, TrtcFunctionError, describeErrorCode } from "../../lib/errors";
import { classifySdkError } from "../../lib/trtc-client";

/** What the SDK throws, built the way abstract_client.js builds it. */
function sdkError(message: string, fields: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { requestId: "", traceId: "", ...fields });
}

describe("classifySdkError", () => {
  it("passes an API error's code and RequestId through, with retryable from the catalogue", () => {
    const e = classifySdkError(sdkError("Request limit exceeded", { code: "RequestLimitExceeded", requestId: "r-1" }), false, 1000);
    expect(e.toPayload()).toEqual({ code: "RequestLimitExceeded", message: "Request limit exceeded", retryable: true });
    expect(e.requestId).toBe("r-1");
    expect(classifySdkError(sdkError("db", { code: "InternalError.DBError" }), false, 1).retryable).toBe(true);
    expect(classifySdkError(sdkError("q", { code: "FailedOperation.QueryTaskInfoFailed" }), false, 1).retryable).toBe(true);
    expect(classifySdkError(sdkError("sig", { code: "AuthFailure.SignatureFailure" }), false, 1).retryable).toBe(false);
    expect(classifySdkError(sdkError("t", { code: "InvalidParameter.TaskId" }), false, 1).retryable).toBe(false);
  });

  it("keeps unknown API codes, classified by prefix", () => {
    expect(classifySdkError(sdkError("x", { code: "RequestLimitExceeded.UinLimitExceeded" }), false, 1).retryable).toBe(true);
    expect(classifySdkError(sdkError("x", { code: "InternalError.SomethingNew" }), false, 1).retryable).toBe(true);
    const unknown = classifySdkError(sdkError("x", { code: "BrandNew.Code" }), false, 1);
    expect(unknown.code).toBe("BrandNew.Code");
    expect(unknown.retryable).toBe(false);
  });

  it("our own abort is a time-out, whatever the message", () => {
    expect(classifySdkError(sdkError("The user aborted a request."), true, 1234).code).toBe("UpstreamTimeout");
    expect(classifySdkError(Object.assign(new Error("The operation was aborted."), { type: "aborted", name: "AbortError" }), true, 1).code).toBe("UpstreamTimeout");
    expect(classifySdkError(sdkError("network timeout at: http://trtc.tencentcloudapi.com/"), false, 1).code).toBe("UpstreamTimeout");
  });

  it("HTTP errors from a gateway are UpstreamHttpError, retryable for 5xx", () => {
    const e = classifySdkError(sdkError("Bad Gateway", { httpCode: 502 }), false, 1);
    expect([e.code, e.retryable]).toEqual(["UpstreamHttpError", true]);
    expect(classifySdkError(sdkError("Forbidden", { httpCode: 403 }), false, 1).retryable).toBe(false);
  });

  it("bodies that are not the JSON envelope are UpstreamInvalidResponse", () => {
    const invalidJson = Object.assign(new Error("invalid json response body at http://x/ reason: Unexpected end of JSON input"), { type: "invalid-json" });
    expect(classifySdkError(invalidJson, false, 1).code).toBe("UpstreamInvalidResponse");
    expect(classifySdkError(new TypeError("Cannot read properties of undefined (reading 'Error')"), false, 1).code).toBe("UpstreamInvalidResponse");
  });

  it("transport failures are UpstreamNetworkError with the reason, retryable", () => {
    const e = classifySdkError(sdkError("request to http://trtc.tencentcloudapi.com/ failed, reason: socket hang up"), false, 1);
    expect(e.toPayload()).toEqual({ code: "UpstreamNetworkError", message: "The connection to TRTC failed: socket hang up", retryable: true });
    expect(classifySdkError(sdkError("request to http://x/ failed, reason: connect ECONNREFUSED 127.0.0.1:1"), false, 1).code).toBe("UpstreamNetworkError");
  });
});

describe("the catalogue", () => {
  it("maps the contract's classes to the contract's statuses", () => {
    expect(describeErrorCode("MissingParameter.SdkAppId").status).toBe(400);
    expect(describeErrorCode("Forbidden.SdkAppId").status).toBe(403);
    expect(describeErrorCode("RequestLimitExceeded").status).toBe(429);
    expect(describeErrorCode("RequestLimitExceeded.IPLimitExceeded").status).toBe(429);
    expect(describeErrorCode("UpstreamNetworkError").status).toBe(502);
    expect(describeErrorCode("UpstreamTimeout").status).toBe(504);
    expect(describeErrorCode("InvalidConfiguration.Credentials").status).toBe(500);
    expect(describeErrorCode("AuthFailure.SecretIdNotFound").status).toBe(502);
  });

  it("is retryable exactly for throttling, time-outs, network and 5xx-class faults", () => {
    const all = { ...FUNCTION_ERRORS, ...API_ERRORS };
    for (const [code, info] of Object.entries(all)) {
      const expected = /^(RequestLimitExceeded|Upstream|InternalError\.DBError$|InternalError$|FailedOperation\.QueryTaskInfoFailed$|ServiceUnavailable$|ResourceUnavailable$)/.test(code);
      expect(info.retryable, code).toBe(expected);
    }
  });

  it("TrtcFunctionError takes retryable from the catalogue unless told", () => {
    expect(new TrtcFunctionError("UpstreamTimeout", "x").retryable).toBe(true);
    expect(new TrtcFunctionError("UpstreamHttpError", "x", { retryable: false }).retryable).toBe(false);
  });
});

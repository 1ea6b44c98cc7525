import { describe, expect, it } from "vitest";
import { API_ERRORS, FUNCTION_ERRORS, TrtcFunctionError, describeErrorCode } from "../../lib/errors";
import { classifySdkError } from "../../lib/trtc-client";
import { AbstractClient } from "tencentcloud-sdk-nodejs/tencentcloud/common/abstract_client";
import { TimeoutReason } from "../../lib/deadline";
import sdkFetch from "../../lib/transport/sdk-fetch";

/** What the SDK throws, built the way abstract_client.js builds it. */
function sdkError(message: string, fields: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { requestId: "", traceId: "", ...fields });
}

describe("classifySdkError", () => {
  it("passes an API error's code and RequestId through, with retryable from the catalogue", () => {
    const e = classifySdkError(sdkError("Request limit exceeded", { code: "RequestLimitExceeded", requestId: "r-1" }));
    expect(e.toPayload()).toEqual({ code: "RequestLimitExceeded", message: "Request limit exceeded", retryable: true });
    expect(e.requestId).toBe("r-1");
    expect(classifySdkError(sdkError("db", { code: "InternalError.DBError" })).retryable).toBe(true);
    expect(classifySdkError(sdkError("q", { code: "FailedOperation.QueryTaskInfoFailed" })).retryable).toBe(true);
    expect(classifySdkError(sdkError("sig", { code: "AuthFailure.SignatureFailure" })).retryable).toBe(false);
    expect(classifySdkError(sdkError("t", { code: "InvalidParameter.TaskId" })).retryable).toBe(false);
  });

  it("keeps unknown API codes, classified by prefix", () => {
    expect(classifySdkError(sdkError("x", { code: "RequestLimitExceeded.UinLimitExceeded" })).retryable).toBe(true);
    expect(classifySdkError(sdkError("x", { code: "InternalError.SomethingNew" })).retryable).toBe(true);
    const unknown = classifySdkError(sdkError("x", { code: "BrandNew.Code" }));
    expect(unknown.code).toBe("BrandNew.Code");
    expect(unknown.retryable).toBe(false);
  });

  it("the transport's own verdict reaches the SDK as an error envelope and comes out of it with its code, no RequestId", async () => {
    const controller = new AbortController();
    controller.abort(new TimeoutReason(1000));
    const response = await sdkFetch("http://127.0.0.1:9/", { signal: controller.signal, timeout: 1000 });
    expect(await response.json()).toEqual({ Response: { Error: { Code: "UpstreamTimeout", Message: "TRTC did not answer within 1000 ms" }, RequestId: "" } });
    // What the SDK's own parseResponse (abstract_client.js, private in its types) throws for it, classified.
    const { parseResponse } = AbstractClient.prototype as unknown as { parseResponse(res: unknown): Promise<unknown> };
    const thrown = await parseResponse.call(undefined, response).catch((error: unknown) => error);
    const failure = classifySdkError(thrown);
    expect(failure).toBeInstanceOf(TrtcFunctionError);
    expect(failure).toMatchObject({ code: "UpstreamTimeout", message: "TRTC did not answer within 1000 ms", requestId: undefined, retryable: true });
  });

  it("anything else the SDK throws is UpstreamInvalidResponse in the function's own words, never the raw message", () => {
    const raw = "Header value \"AKIDsecret\u201d\" is not a legal HTTP header value; Cannot read properties of undefined (reading 'Error')";
    for (const error of [sdkError(raw), new TypeError(raw), raw]) {
      const e = classifySdkError(error);
      expect(e.code).toBe("UpstreamInvalidResponse");
      expect(e.message).not.toContain("AKID");
      expect(e.message).not.toContain("Cannot read");
    }
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

  it("TrtcFunctionError takes retryable from the catalogue, always (no caller decides it on the side)", () => {
    expect(new TrtcFunctionError("UpstreamTimeout", "x").retryable).toBe(true);
    expect(new TrtcFunctionError("UpstreamHttpError", "x").retryable).toBe(true);
    expect(new TrtcFunctionError("InvalidConfiguration.Endpoint", "x").retryable).toBe(false);
    expect(new TrtcFunctionError("InternalError.SomethingNew", "x").retryable).toBe(true); // TRTC's new code: by its prefix
    expect(new TrtcFunctionError("BrandNew.Code", "x").retryable).toBe(false); // unknown: not retryable
    // @ts-expect-error retryable is not an option: the catalogue decides
    expect(new TrtcFunctionError("UpstreamHttpError", "x", { retryable: false }).retryable).toBe(true);
  });
});

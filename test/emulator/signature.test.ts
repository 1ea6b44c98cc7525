import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type RunningEmulator } from "../../emulator";
import { DEMO_APP, DEMO_TASK, envelope, errorCode, handSign, rawRequest, sdkClient, sdkError, type HandSigned } from "./helpers";

let emulator: RunningEmulator;
const TEMP = { secretId: "AKIDTEMPORARY0000000000000000000001", secretKey: "TemporarySecretKey000000000000001", token: "session-token-1" };

beforeAll(async () => {
  emulator = await startEmulator({ quiet: true, rateLimitPerSecond: 1000, credentials: [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }, TEMP] });
});
afterAll(() => emulator.close());

describe("the official SDK", () => {
  it.each(["POST", "GET"] as const)("is accepted with %s, signed for the real host", async (reqMethod) => {
    const result = await sdkClient(emulator, { reqMethod }).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK });
    expect(result.Status).toBe("InProgress");
    expect(result.RequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("is accepted with temporary credentials and their token", async () => {
    const result = await sdkClient(emulator, TEMP).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK });
    expect(result.Status).toBe("InProgress");
  });

  it("gets the trace id echoed and a fresh RequestId per call", async () => {
    const res = await rawRequest(emulator, handSign({ extraHeaders: { "X-TC-TraceId": "trace-123" } }));
    expect(res.headers["x-tc-traceid"]).toBe("trace-123");
    const again = await rawRequest(emulator, handSign());
    expect(envelope(again).RequestId).not.toBe(envelope(res).RequestId);
  });

  it("sees the error envelope as a TencentCloudSDKHttpException with code and RequestId", async () => {
    const error = await sdkError(sdkClient(emulator, { secretKey: "wrong" }).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK }));
    expect(error.code).toBe("AuthFailure.SignatureFailure");
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("TC3-HMAC-SHA256 verification", () => {
  it("accepts a correct hand-signed request (POST and GET)", async () => {
    expect(await errorCode(emulator, {})).toBeUndefined();
    expect(await errorCode(emulator, { method: "GET", query: `SdkAppId=${DEMO_APP}&TaskId=${DEMO_TASK}` })).toBeUndefined();
  });

  it("verifies extra signed headers and lower-cases signed values, as the TC3 docs' example does", async () => {
    expect(await errorCode(emulator, { alsoSign: { "x-tc-action": "DescribeStreamIngest" } })).toBeUndefined();
    expect(await errorCode(emulator, { contentType: "Application/JSON" })).toBeUndefined();
    // The signed x-tc-action says Describe, the header sent says Stop: the signature no longer matches.
    expect(
      await errorCode(emulator, { alsoSign: { "x-tc-action": "DescribeStreamIngest" }, action: "StopStreamIngest" }),
    ).toBe("AuthFailure.SignatureFailure");
  });

  it("accepts the Host header signed without its port (Node SDK) or as sent with it (Python SDK, tccli), and nothing else", async () => {
    const host = `127.0.0.1:${emulator.port}`;
    expect(await errorCode(emulator, { host })).toBeUndefined();
    expect(await errorCode(emulator, { host, signedHost: host })).toBeUndefined();
    expect(await errorCode(emulator, { host: "trtc.tencentcloudapi.com:443" })).toBeUndefined();
    expect(await errorCode(emulator, { host: "trtc.tencentcloudapi.com:443", signedHost: "trtc.tencentcloudapi.com:443" })).toBeUndefined();
    expect(await errorCode(emulator, { host, signedHost: `127.0.0.1:${emulator.port + 1}` })).toBe("AuthFailure.SignatureFailure");
    expect(await errorCode(emulator, { signedHost: "cvm.tencentcloudapi.com" })).toBe("AuthFailure.SignatureFailure");
  });

  it.each<[string, HandSigned]>([
    ["no Authorization header", { authorization: null }],
    ["a garbled Authorization header", { authorization: "TC3-HMAC-SHA256 Credential=garbage" }],
    ["another algorithm", { authorization: `HMAC-SHA256 Credential=${DEMO_SECRET_ID}/2020-01-01/trtc/tc3_request, SignedHeaders=content-type;host, Signature=${"0".repeat(64)}` }],
  ])("rejects %s with AuthFailure.InvalidAuthorization (a common code)", async (_case, h) => {
    expect(await errorCode(emulator, h)).toBe("AuthFailure.InvalidAuthorization");
  });

  it.each(["HmacSHA1", "HmacSHA256"])("refuses a v1 %s signature (not verified here) with AuthFailure.SignatureFailure, as the real API refuses v1 it will not take", async (method) => {
    const query = `Action=DescribeStreamIngest&SdkAppId=${DEMO_APP}&TaskId=${DEMO_TASK}&SecretId=${DEMO_SECRET_ID}&SignatureMethod=${method}&Signature=abc%3D`;
    const res = await rawRequest(emulator, { ...handSign({ method: "GET", query, authorization: null }) });
    expect(envelope(res).Error).toMatchObject({ Code: "AuthFailure.SignatureFailure", Message: expect.stringContaining("TC3-HMAC-SHA256") });
  });

  it.each<[string, HandSigned]>([
    ["a changed body byte", { body: `{"SdkAppId":${DEMO_APP},"TaskId":"demo-task-in-progresS"}`, signedBody: `{"SdkAppId":${DEMO_APP},"TaskId":"${DEMO_TASK}"}` }],
    ["a wrong key", { secretKey: "NotTheKey" }],
    ["a wrong service in the scope", { service: "cvm" }],
    ["a scope date other than the timestamp's", { scopeDate: "2020-01-01" }],
    ["a changed query (GET)", { method: "GET", query: `SdkAppId=${DEMO_APP}&TaskId=x`, sentQuery: `SdkAppId=${DEMO_APP}&TaskId=y` }],
    ["a missing X-TC-Timestamp", { extraHeaders: { "X-TC-Timestamp": "" } }],
  ])("rejects %s with AuthFailure.SignatureFailure", async (_case, h) => {
    expect(await errorCode(emulator, h)).toBe("AuthFailure.SignatureFailure");
  });

  it("rejects timestamps more than 300 s off with AuthFailure.SignatureExpire, and accepts up to 300 s", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await errorCode(emulator, { timestamp: now - 400 })).toBe("AuthFailure.SignatureExpire");
    expect(await errorCode(emulator, { timestamp: now + 400 })).toBe("AuthFailure.SignatureExpire");
    expect(await errorCode(emulator, { timestamp: now - 290 })).toBeUndefined();
  });

  it("rejects an unknown SecretId with AuthFailure.SecretIdNotFound", async () => {
    expect(await errorCode(emulator, { secretId: "AKIDNOSUCHKEY" })).toBe("AuthFailure.SecretIdNotFound");
    const error = await sdkError(
      sdkClient(emulator, { secretId: "AKIDNOSUCHKEY", secretKey: "x" }).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK }),
    );
    expect(error.code).toBe("AuthFailure.SecretIdNotFound");
  });
});

describe("session tokens", () => {
  const temp = { secretId: TEMP.secretId, secretKey: TEMP.secretKey };

  it("rejects a missing or different token, and a token sent with a permanent key", async () => {
    expect(await errorCode(emulator, temp)).toBe("AuthFailure.TokenFailure");
    expect(await errorCode(emulator, { ...temp, token: "another-token" })).toBe("AuthFailure.TokenFailure");
    expect(await errorCode(emulator, { ...temp, token: TEMP.token })).toBeUndefined();
    expect(await errorCode(emulator, { token: "stray-token" })).toBe("AuthFailure.TokenFailure");
  });

  it("rejects an expired token", async () => {
    const expiring = { secretId: "AKIDEXPIRING000000000000000000000001", secretKey: "ExpiringKey", token: "t-1" };
    emulator.addCredential(expiring);
    const client = sdkClient(emulator, expiring);
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK })).Status).toBe("InProgress");
    emulator.expireToken(expiring.secretId);
    const error = await sdkError(client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK }));
    expect(error.code).toBe("AuthFailure.TokenFailure");
  });
});

describe("version, action and region", () => {
  it.each<[string, HandSigned, string]>([
    ["another version", { version: "2020-01-01" }, "NoSuchVersion"],
    ["an unknown action", { action: "DescribeEverything" }, "InvalidAction"],
    ["an unsupported region", { region: "ap-seoul" }, "UnsupportedRegion"],
    ["a region of another cloud", { region: "us-east-1" }, "UnsupportedRegion"],
    ["no region", { region: null }, "UnsupportedRegion"],
    ["no action", { extraHeaders: { "X-TC-Action": "" } }, "MissingParameter"],
  ])("answers %s with its code", async (_, h, code) => {
    expect(await errorCode(emulator, h)).toBe(code);
  });

  // The regions TRTC's stream-ingest pages list (API page, international and China sites).
  it.each([
    "ap-bangkok", "ap-jakarta", "ap-mumbai", "ap-singapore", "ap-guangzhou", "ap-tokyo", "ap-beijing", "ap-shanghai", "ap-chongqing",
  ])("serves %s", async (region) => {
    expect((await sdkClient(emulator, { region }).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK })).Status).toBe("InProgress");
  });

  it("checks the signature before the version, action and region", async () => {
    expect(await errorCode(emulator, { region: "ap-seoul", secretKey: "wrong" })).toBe("AuthFailure.SignatureFailure");
  });

  it("answers methods other than GET and POST with UnsupportedProtocol", async () => {
    const res = await rawRequest(emulator, { ...handSign(), method: "PUT" });
    expect(envelope(res).Error?.Code).toBe("UnsupportedProtocol");
  });
});

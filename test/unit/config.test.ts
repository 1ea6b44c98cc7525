import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { CredentialSource, credentialsFromEnv } from "../../lib/credentials";
import { TrtcFunctionError } from "../../lib/errors";

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as TrtcFunctionError;
  }
  throw new Error("did not throw");
};

describe("loadConfig", () => {
  it("has the contract's defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ region: "ap-singapore", endpoint: "trtc.tencentcloudapi.com", allowedSdkAppIds: undefined, logLevel: "info", throwOnError: false });
    expect(config.target).toEqual({ protocol: "https:", hostname: "trtc.tencentcloudapi.com", port: 443 });
  });

  it.each(["ap-bangkok", "ap-jakarta", "ap-mumbai", "ap-singapore"])("accepts region %s", (region) => {
    expect(loadConfig({ TRTC_REGION: region }).region).toBe(region);
  });

  it.each(["ap-guangzhou", "us-east-1", "AP-SINGAPORE"])("rejects region %s with InvalidConfiguration.Region", (region) => {
    const e = errorOf(() => loadConfig({ TRTC_REGION: region }));
    expect(e.code).toBe("InvalidConfiguration.Region");
    expect(e.message).toContain("ap-bangkok, ap-jakarta, ap-mumbai, ap-singapore");
  });

  it("sends to TRTC_ENDPOINT_URL while signing for TRTC_ENDPOINT", () => {
    const config = loadConfig({ TRTC_ENDPOINT_URL: "http://127.0.0.1:4566", TRTC_ENDPOINT: "trtc.ap-singapore.tencentcloudapi.com" });
    expect(config.endpoint).toBe("trtc.ap-singapore.tencentcloudapi.com");
    expect(config.target).toEqual({ protocol: "http:", hostname: "127.0.0.1", port: 4566 });
    expect(loadConfig({ TRTC_ENDPOINT_URL: "https://proxy.internal:8443" }).target).toEqual({ protocol: "https:", hostname: "proxy.internal", port: 8443 });
    expect(loadConfig({ TRTC_ENDPOINT_URL: "http://[::1]:9000" }).target.hostname).toBe("::1");
  });

  it.each([
    ["plain http to a remote host", { TRTC_ENDPOINT_URL: "http://example.com" }],
    ["not a URL", { TRTC_ENDPOINT_URL: "localhost:4566" }],
    ["a URL with a path", { TRTC_ENDPOINT_URL: "http://127.0.0.1:1/api" }],
    ["an endpoint that is not a host", { TRTC_ENDPOINT: "https://trtc.tencentcloudapi.com" }],
  ])("rejects %s with InvalidConfiguration.Endpoint", (_name, env) => {
    expect(errorOf(() => loadConfig(env)).code).toBe("InvalidConfiguration.Endpoint");
  });

  it("parses the allow-list and rejects a malformed one", () => {
    expect([...loadConfig({ TRTC_ALLOWED_SDK_APP_IDS: " 1400000001, 1400000002 " }).allowedSdkAppIds!]).toEqual([1400000001, 1400000002]);
    expect(errorOf(() => loadConfig({ TRTC_ALLOWED_SDK_APP_IDS: "14000x" })).code).toBe("InvalidConfiguration");
  });

  it("respects LOG_LEVEL", () => {
    expect(loadConfig({ LOG_LEVEL: "DEBUG" }).logLevel).toBe("debug");
    expect(loadConfig({ LOG_LEVEL: "verbose" }).logLevel).toBe("info");
  });
});

describe("credentials", () => {
  it("reads the SDK's names, with a session token", () => {
    expect(credentialsFromEnv({ TENCENTCLOUD_SECRET_ID: "id", TENCENTCLOUD_SECRET_KEY: "key", TENCENTCLOUD_SESSION_TOKEN: "tok" })).toEqual({ secretId: "id", secretKey: "key", token: "tok" });
  });

  it("reads SCF's role-injected names when the SDK's are absent", () => {
    expect(credentialsFromEnv({ TENCENTCLOUD_SECRETID: "rid", TENCENTCLOUD_SECRETKEY: "rkey", TENCENTCLOUD_SESSIONTOKEN: "rtok" })).toEqual({ secretId: "rid", secretKey: "rkey", token: "rtok" });
  });

  it("prefers explicit keys over the role's", () => {
    expect(credentialsFromEnv({ TENCENTCLOUD_SECRET_ID: "id", TENCENTCLOUD_SECRET_KEY: "key", TENCENTCLOUD_SECRETID: "rid", TENCENTCLOUD_SECRETKEY: "rkey" }).secretId).toBe("id");
  });

  it("names the variables to set, and never a value", () => {
    const none = errorOf(() => credentialsFromEnv({}));
    expect(none.code).toBe("InvalidConfiguration.Credentials");
    expect(none.message).toContain("TENCENTCLOUD_SECRET_ID");
    const half = errorOf(() => credentialsFromEnv({ TENCENTCLOUD_SECRET_ID: "AKIDsecretish" }));
    expect(half.message).toContain("TENCENTCLOUD_SECRET_KEY");
    expect(half.message).not.toContain("AKIDsecretish");
  });

  it("reads the keys once per invocation: rotated keys are used from the next refresh, without a cold start", async () => {
    const env: Record<string, string> = { TENCENTCLOUD_SECRETID: "a", TENCENTCLOUD_SECRETKEY: "k1", TENCENTCLOUD_SESSIONTOKEN: "t1" };
    const source = new CredentialSource(() => credentialsFromEnv(env));
    source.refresh(); // what the handler does at the start of each invocation
    expect((await source.getCredential()).token).toBe("t1");
    env.TENCENTCLOUD_SESSIONTOKEN = "t2";
    expect((await source.getCredential()).token).toBe("t1"); // same invocation: the keys it started with
    expect(source.refresh().token).toBe("t2"); // next invocation, or after AuthFailure.TokenFailure
    expect((await source.getCredential()).token).toBe("t2");
    expect(source.secretValues()).toEqual(["k1", "t2"]);
  });

  it("reads the keys anew when the reader is replaced (the secrets middleware)", () => {
    const source = new CredentialSource(() => ({ secretId: "a", secretKey: "env-key" }));
    expect(source.current().secretKey).toBe("env-key");
    source.use(() => ({ secretId: "b", secretKey: "secret-key" }));
    expect(source.current().secretKey).toBe("secret-key");
  });
});

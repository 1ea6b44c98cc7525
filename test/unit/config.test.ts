import { describe, expect, it } from "vitest";
import { loadConfig, readConfig } from "../../lib/config";
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

  // A task is queried where it was started: any Tencent Cloud region name is sent, and TRTC says where it is not served.
  it.each(["ap-bangkok", "ap-jakarta", "ap-mumbai", "ap-singapore", "ap-guangzhou", "ap-tokyo", "ap-beijing", "ap-shanghai", "ap-chongqing", "na-siliconvalley", "ap-shanghai-fsi"])(
    "accepts region %s",
    (region) => {
      expect(loadConfig({ TRTC_REGION: region }).region).toBe(region);
    },
  );

  it.each(["us-east-1", "AP-SINGAPORE", "singapore", "ap-", "ap_tokyo", "ap-tokyo\r\nX: y", "a".repeat(40)])("rejects region %j with InvalidConfiguration.Region", (region) => {
    const e = errorOf(() => loadConfig({ TRTC_REGION: region }));
    expect(e.code).toBe("InvalidConfiguration.Region");
    expect(e.message).toContain("Tencent Cloud region name");
    if (/[^a-z-]/.test(region)) expect(e.message).not.toContain(region);
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

  it("respects LOG_LEVEL, one rule (trimmed, any case); unset, Lambda's AWS_LAMBDA_LOG_LEVEL applies", () => {
    expect(loadConfig({ LOG_LEVEL: "DEBUG" }).logLevel).toBe("debug");
    expect(loadConfig({ LOG_LEVEL: " Warn " }).logLevel).toBe("warn");
    expect(loadConfig({ LOG_LEVEL: "verbose" }).logLevel).toBe("info");
    expect(readConfig({ LOG_LEVEL: "verbose" })).toMatchObject({ ok: true, ignoredLogLevel: true });
    expect(loadConfig({ AWS_LAMBDA_LOG_LEVEL: "DEBUG" }).logLevel).toBe("debug");
    expect(loadConfig({ AWS_LAMBDA_LOG_LEVEL: "TRACE" }).logLevel).toBe("debug");
    expect(loadConfig({ AWS_LAMBDA_LOG_LEVEL: "FATAL" }).logLevel).toBe("error");
    expect(loadConfig({ AWS_LAMBDA_LOG_LEVEL: "WARN", LOG_LEVEL: "info" }).logLevel).toBe("info");
    // A configuration that is refused still has its level, so the refusal can be logged at it.
    expect(readConfig({ LOG_LEVEL: "error", TRTC_REGION: "x" })).toMatchObject({ ok: false, logLevel: "error", error: { code: "InvalidConfiguration.Region" } });
  });

  it("reads the callback key and retention, the secret source and booleans, naming the variable on a bad value", () => {
    expect(loadConfig({}).callbacks).toEqual({ key: undefined, retentionMs: 604_800_000 });
    expect(loadConfig({ TRTC_CALLBACK_KEY: "abcXYZ0123", TRTC_CALLBACK_RETENTION_SECONDS: "3600" }).callbacks).toEqual({ key: "abcXYZ0123", retentionMs: 3_600_000 });
    for (const key of ["has space", "x".repeat(33), "dash-ed", "ключ"]) {
      const e = errorOf(() => loadConfig({ TRTC_CALLBACK_KEY: key }));
      expect(e.message).toContain("TRTC_CALLBACK_KEY");
      expect(e.message).not.toContain(key);
    }
    expect(loadConfig({ TRTC_CREDENTIALS_SECRET_ID: "trtc/keys" }).secret).toEqual({ secretId: "trtc/keys", ttlMs: 300_000 });
    expect(errorOf(() => loadConfig({ TRTC_CREDENTIALS_SECRET_ID: "x", TRTC_CREDENTIALS_SECRET_TTL_SECONDS: "-1" })).message).toContain("TRTC_CREDENTIALS_SECRET_TTL_SECONDS");
    expect(loadConfig({ TRTC_THROW_ON_ERROR: "TRUE" }).throwOnError).toBe(true);
    expect(errorOf(() => loadConfig({ TRTC_THROW_ON_ERROR: "yes" })).message).toContain("TRTC_THROW_ON_ERROR");
    expect(errorOf(() => loadConfig({ TRTC_REDIS_URL: "redis://h:1", TRTC_REDIS_CLUSTER: "on" })).message).toContain("TRTC_REDIS_CLUSTER");
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

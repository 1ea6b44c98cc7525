/**
 * The production credentials path on AWS: the built bundle reads the TRTC key pair from AWS Secrets Manager with a
 * direct GetSecretValue through the real AWS SDK v3 client (resolved from node_modules here, as Lambda's runtime
 * provides it), against a local GetSecretValue stub and the TRTC emulator. Each test cold-starts its own container
 * with its own secret.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY } from "../../emulator";
import { Deadline } from "../../lib/deadline";
import type { Logger } from "../../lib/logger";
import { SecretKeys } from "../../lib/transport/secrets-manager";
import { awsContext, captureStdout, loadBundle, quietly } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent } from "../support/events";
import { pendingTimers, sleep, tick } from "../support/leaks";
import { startSecretsManagerStub, type SecretsManagerStub } from "../support/secrets-manager-stub";

const ask = { SdkAppId: APP, TaskId: DEMO_TASK };
const demoSecret = { SecretId: DEMO_SECRET_ID, SecretKey: DEMO_SECRET_KEY };

let emulator: RunningEmulator;
let stub: SecretsManagerStub;
let baseEnv: Record<string, string | undefined>;
let secretCount = 0;

/** A cold start with credentials only in the secret (none in the environment); each container its own secret. */
function coldStart(secretValue: unknown, env: Record<string, string | undefined> = {}) {
  const secretId = `trtc/test-${++secretCount}`;
  if (secretValue !== undefined) stub.setSecret(secretId, secretValue);
  const bundle = loadBundle({ ...baseEnv, TRTC_CREDENTIALS_SECRET_ID: secretId, ...env });
  const calls = () => stub.calls.filter((call) => call.secretId === secretId).length;
  return { bundle, secretId, calls };
}

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  stub = await startSecretsManagerStub();
  baseEnv = {
    ...started.env,
    TENCENTCLOUD_SECRET_ID: undefined,
    TENCENTCLOUD_SECRET_KEY: undefined,
    TRTC_CREDENTIALS_SECRET_TTL_SECONDS: undefined,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.url,
    AWS_REGION: "ap-southeast-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_MAX_ATTEMPTS: "1", // the SDK's own retries would only slow the failure cases down
  };
});

afterAll(async () => {
  await stub?.close();
  await emulator?.close();
});

describe("the callback key from the secret (\"CallbackKey\")", () => {
  const KEY = "SecretCallbackKey42";
  const signed = (taskId: string) => {
    const body = JSON.stringify({ EventGroupId: 7, EventType: 702, CallbackMsTs: Date.now(), EventInfo: { EventMsTs: Date.now() - 50, TaskId: taskId, Status: 0 } });
    const sign = createHmac("sha256", KEY).update(body).digest("base64");
    return awsHttpApiEvent({ method: "POST", body, headers: { Sign: sign, SdkAppId: String(APP) } });
  };

  it("verifies callbacks with it, read within the callback's invocation, and tells answers with the record", async () => {
    const { bundle, calls } = coldStart({ ...demoSecret, CallbackKey: KEY });
    const { value: answer, lines } = await captureStdout(() => bundle.handler(signed("secret-key-task"), awsContext()));
    expect([answer.statusCode, answer.body]).toEqual([200, '{"code":0}']);
    expect(calls()).toBe(1);
    expect(await bundle.handler({ SdkAppId: APP, TaskId: "secret-key-task" }, awsContext())).toMatchObject({ status: "NotExist", relay: { phase: "stopped" } });
    expect(lines.join("\n")).not.toContain(KEY);
  });

  it("without one, callbacks are refused (403) and status queries read no record", async () => {
    const { bundle } = coldStart(demoSecret);
    const answer = await bundle.handler(signed("no-key-task"), awsContext());
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe("Forbidden.Callback");
    expect(await bundle.handler({ SdkAppId: APP, TaskId: "no-key-task" }, awsContext())).not.toHaveProperty("relay");
  });

  it("a malformed CallbackKey is the secret's configuration error, naming the field, never the value", async () => {
    const { bundle } = coldStart({ ...demoSecret, CallbackKey: "not a key!" });
    const result = await quietly(() => bundle.handler(ask, awsContext()));
    expect(result).toMatchObject({ ok: false, error: { code: "InvalidConfiguration.Secret" } });
    expect(result.error.message).toContain("CallbackKey");
    expect(result.error.message).not.toContain("not a key!");
  });
});

describe("credentials from AWS Secrets Manager", () => {
  it("fetches the secret once per container and answers with its keys", async () => {
    const { bundle, calls } = coldStart(demoSecret);
    expect(calls()).toBe(0); // nothing fetched at load: the first invocation pays, not the cold start of other paths
    for (let i = 0; i < 3; i++) {
      const result = await bundle.handler(ask, awsContext());
      expect(result).toMatchObject({ ok: true, status: "InProgress" });
    }
    expect(calls()).toBe(1);
    expect(stub.calls.at(-1)!.signed).toBe(true);
  });

  it("concurrent first invocations share one GetSecretValue", async () => {
    const { bundle, calls } = coldStart(demoSecret);
    const results = await Promise.all(Array.from({ length: 10 }, () => bundle.handler(ask, awsContext())));
    for (const result of results) expect(result).toMatchObject({ ok: true, status: "InProgress" });
    expect(calls()).toBe(1);
  });

  it("fetches again after the TTL and uses a rotated secret without a cold start", async () => {
    const { bundle, secretId, calls } = coldStart({ SecretId: "AKIDnotknowntotheemulator0000000", SecretKey: "wrong-key-0123456789" }, {
      TRTC_CREDENTIALS_SECRET_TTL_SECONDS: "1",
    });
    const before = await bundle.handler(ask, awsContext());
    expect(before).toMatchObject({ ok: false, error: { code: "AuthFailure.SecretIdNotFound" } });

    stub.setSecret(secretId, demoSecret); // rotation
    const cached = await bundle.handler(ask, awsContext());
    expect(cached).toMatchObject({ ok: false, error: { code: "AuthFailure.SecretIdNotFound" } }); // still within the TTL
    expect(calls()).toBe(1);

    await sleep(1_050); // past the 1 s TTL
    const after = await bundle.handler(ask, awsContext());
    expect(after).toMatchObject({ ok: true, status: "InProgress" });
    expect(calls()).toBe(2);
  });

  it("maps a refused secret to InvalidConfiguration.Secret (HTTP 500) and recovers once it is fixed", async () => {
    stub.failWith({ status: 400, type: "AccessDeniedException", message: "User is not authorized to perform secretsmanager:GetSecretValue" });
    const { bundle, calls } = coldStart(demoSecret);
    const { value: direct, lines } = await captureStdout(() => bundle.handler(ask, awsContext()));
    expect(direct).toMatchObject({ ok: false, error: { code: "InvalidConfiguration.Secret", retryable: false } });
    expect(direct.error.message).not.toMatch(/arn:|trtc\/test/); // the caller never learns the secret's name or account
    expect(lines.some((line) => JSON.parse(line).awsError === "AccessDeniedException")).toBe(true); // the operator learns why
    for (const line of lines) expect(line).not.toMatch(/arn:|trtc\/test/); // …but not the name or ARN either

    const http = await bundle.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
    expect(http.statusCode).toBe(500);
    expect(JSON.parse(http.body).error.code).toBe("InvalidConfiguration.Secret");

    stub.failWith(undefined); // permission granted: no cold start needed
    expect(await bundle.handler(ask, awsContext())).toMatchObject({ ok: true, status: "InProgress" });
    expect(calls()).toBe(3);
  });

  it("maps an unreachable or failing Secrets Manager to UpstreamSecretsError (HTTP 502, retryable)", async () => {
    stub.failWith({ status: 500, type: "InternalServiceError" });
    try {
      const { bundle } = coldStart(demoSecret);
      const http = await bundle.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), awsContext());
      expect(http.statusCode).toBe(502);
      expect(JSON.parse(http.body).error).toMatchObject({ code: "UpstreamSecretsError", retryable: true });
    } finally {
      stub.failWith(undefined);
    }
  });

  it("keeps the keys it has when a refresh fails in passing, and fetches nothing between invocations", async () => {
    const { bundle, calls } = coldStart(demoSecret, { TRTC_CREDENTIALS_SECRET_TTL_SECONDS: "0", LOG_LEVEL: "warn" }); // every invocation refreshes
    expect(await bundle.handler(ask, awsContext())).toMatchObject({ ok: true });
    stub.failWith({ status: 503, type: "ServiceUnavailable" });
    try {
      const { value, lines } = await captureStdout(() => bundle.handler(ask, awsContext()));
      expect(value).toMatchObject({ ok: true, status: "InProgress" });
      expect(lines.some((line) => JSON.parse(line).awsError === "ServiceUnavailable")).toBe(true);
    } finally {
      stub.failWith(undefined);
    }
    const before = calls();
    await sleep(200);
    expect(calls()).toBe(before); // no background timer
    expect(await bundle.handler(ask, awsContext())).toMatchObject({ ok: true });
    expect(calls()).toBe(3);
  });

  it("a hanging Secrets Manager is answered before the deadline with UpstreamSecretsError, its connection closed", async () => {
    const { bundle } = coldStart(demoSecret);
    const idle = stub.openConnections(); // other containers' pooled connections
    stub.hang(true);
    try {
      const started = Date.now();
      const { value, lines } = await captureStdout(() => bundle.handler(ask, awsContext(1500)));
      const elapsed = Date.now() - started;
      expect(value).toMatchObject({ ok: false, error: { code: "UpstreamSecretsError", retryable: true } });
      expect(elapsed).toBeLessThan(1450); // the 1.5 s limit; the function aims at 1350 ms
      expect(lines.map((line) => JSON.parse(line).code ?? JSON.parse(line).outcome)).toContain("UpstreamSecretsError");
      await sleep(20);
      expect(stub.openConnections(), "the aborted GetSecretValue left its socket open").toBeLessThanOrEqual(idle);
    } finally {
      stub.hang(false);
    }
  });

  it("a refresh that hangs keeps the keys it has and still leaves time to ask TRTC", async () => {
    const { bundle } = coldStart(demoSecret, { TRTC_CREDENTIALS_SECRET_TTL_SECONDS: "0" });
    expect(await bundle.handler(ask, awsContext())).toMatchObject({ ok: true });
    stub.hang(true);
    try {
      const started = Date.now();
      expect(await bundle.handler(ask, awsContext(2000))).toMatchObject({ ok: true, status: "InProgress" });
      expect(Date.now() - started).toBeLessThan(1500); // a quarter of the time left, at most 1 s, went to the refresh
    } finally {
      stub.hang(false);
    }
  });

  it("rejects a secret that is not the documented JSON, naming the field but no value", async () => {
    const { bundle } = coldStart({ SecretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY });
    const result = await bundle.handler(ask, awsContext());
    expect(result.error).toMatchObject({ code: "InvalidConfiguration.Secret" });
    expect(result.error.message).toContain('"SecretKey"');
    expect(JSON.stringify(result)).not.toContain(DEMO_SECRET_KEY);

    const { bundle: plain } = coldStart("not json at all");
    expect((await plain.handler(ask, awsContext())).error.code).toBe("InvalidConfiguration.Secret");
  });

  it("never writes the secret's key to the logs", async () => {
    const { bundle } = coldStart(demoSecret, { LOG_LEVEL: "debug" });
    const { lines } = await captureStdout(async () => {
      await bundle.handler(ask, awsContext());
      await bundle.handler({ SdkAppId: APP, TaskId: "no-such-task" }, awsContext());
    });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(DEMO_SECRET_KEY);
  });

  it("rejects a TTL that is not a number of seconds", async () => {
    const { bundle } = coldStart(demoSecret, { TRTC_CREDENTIALS_SECRET_TTL_SECONDS: "5m" });
    const result = await bundle.handler(ask, awsContext());
    expect(result.error).toMatchObject({ code: "InvalidConfiguration" });
    expect(result.error.message).toContain("TRTC_CREDENTIALS_SECRET_TTL_SECONDS");
  });
});

/**
 * SecretKeys itself, with a scripted client and an injected TTL clock: each read is bounded by the deadline's cut
 * (a first read: up to 3 s or the time left; a refresh: up to 1 s or a quarter of it), through a real AbortSignal
 * whose timer ends with the read.
 */
describe("SecretKeys's read bound, from the invocation's deadline", () => {
  const quiet = { log: () => undefined } as unknown as Logger;
  /** A client whose GetSecretValue answers the demo secret, or hangs until its signal aborts. */
  function client(hang: () => boolean) {
    const signals: AbortSignal[] = [];
    const send = (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
      signals.push(options!.abortSignal!);
      if (!hang()) return Promise.resolve({ SecretString: JSON.stringify(demoSecret) });
      return new Promise<never>((_, reject) =>
        options!.abortSignal!.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })), { once: true }),
      );
    };
    return { signals, make: () => ({ client: { send }, command: (id: string) => id }) };
  }

  it("a first read that hangs ends at the time left, UpstreamSecretsError, its signal aborted and its timers gone", async () => {
    const fake = client(() => true);
    const keys = new SecretKeys({ secretId: "s", ttlMs: 60_000, logger: quiet, client: fake.make });
    await tick();
    const timersBefore = pendingTimers();
    const started = Date.now();
    const error = await keys.prepare(new Deadline(Date.now() + 250)).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(700);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(error).toMatchObject({ code: "UpstreamSecretsError" });
    expect(fake.signals[0]).toBeInstanceOf(AbortSignal);
    expect(fake.signals[0]!.aborted).toBe(true);
    await tick();
    expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("a refresh that hangs gives up after a quarter of the time left and keeps the keys", async () => {
    let hang = false;
    let now = 0;
    const fake = client(() => hang);
    const keys = new SecretKeys({ secretId: "s", ttlMs: 1000, logger: quiet, client: fake.make, now: () => now });
    await keys.prepare(new Deadline(Date.now() + 5000));
    expect(keys.current().secretId).toBe(DEMO_SECRET_ID);
    hang = true;
    now = 2000; // past the TTL on the container's clock
    const started = Date.now();
    await keys.prepare(new Deadline(Date.now() + 1200)); // a refresh: min(1 s, 1200 / 4) = 300 ms
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(700);
    expect(keys.current().secretId).toBe(DEMO_SECRET_ID);
    expect(fake.signals).toHaveLength(2);
    expect(fake.signals[1]!.aborted).toBe(true);
  });
});

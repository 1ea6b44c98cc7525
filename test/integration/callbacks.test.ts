/**
 * TRTC's stream-ingest callbacks through the built bundle, one container (records in memory): each HTTP kind takes
 * them, every refusal has the contract's status and records nothing, and status answers carry the relay's story
 * and stop asking TRTC once a stop is confirmed. Bodies are signed here, independently, over their exact bytes
 * (trtc.io/document/54912: Sign = base64(HMAC-SHA256(key, body))). The emulator's own callbacks drive
 * test/e2e/callbacks.test.ts.
 */
import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, captureStdout, loadBundle, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { albEvent, awsHttpApiEvent, awsRestEvent, tencentApiGatewayEvent, tencentFunctionUrlEvent, type HttpInput } from "../support/events";

const KEY = "TestCallbackKey0123456789";
let emulator: RunningEmulator;
let fn: Bundle;

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  fn = loadBundle({ ...started.env, TRTC_CALLBACK_KEY: KEY, TRTC_ALLOWED_SDK_APP_IDS: `${APP},1400000002` });
});
afterEach(() => emulator.resetStats());
afterAll(() => emulator.close());

const sign = (body: string, key = KEY) => createHmac("sha256", key).update(body, "utf8").digest("base64");

/** A TRTC stream-ingest body as the callback page shows it (tab-indented JSON), written as text: its bytes are signed. */
function body(eventType: number, taskId: string, status: number, eventMsTs: number, callbackMsTs = Date.now()): string {
  return `{\n\t"EventGroupId":\t7,\n\t"EventType":\t${eventType},\n\t"CallbackMsTs":\t${callbackMsTs},\n\t"EventInfo":\t{\n\t\t"EventMsTs":\t${eventMsTs},\n\t\t"TaskId":\t"${taskId}",\n\t\t"Status":\t${status}\n\t}\n}`;
}

const post = (text: string, headers: Record<string, string> = { Sign: sign(text), SdkAppId: String(APP) }, make: (i: HttpInput) => unknown = awsHttpApiEvent) =>
  fn.handler(make({ method: "POST", body: text, headers: { "Content-Type": "application/json", ...headers } }), awsContext());

const status = async (taskId: string) => {
  const response = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: taskId } }), awsContext());
  return JSON.parse(response.body);
};

describe("receiving", () => {
  it.each([
    ["API Gateway HTTP API", awsHttpApiEvent],
    ["API Gateway REST API", awsRestEvent],
    ["ALB", albEvent],
    ["SCF function URL", tencentFunctionUrlEvent],
    ["Tencent API Gateway", tencentApiGatewayEvent],
  ] as const)("%s: a signed 701 is recorded (200 {code:0}), again a duplicate (200), with no TRTC request", async (_name, make) => {
    const taskId = `recv-${make.name}`;
    const text = body(701, taskId, 0, Date.now() - 1000);
    const first = await post(text, undefined, make);
    expect([first.statusCode, first.body]).toEqual([200, '{"code":0}']);
    const again = await post(text, undefined, make);
    expect([again.statusCode, again.body]).toEqual([200, '{"code":0}']);
    expect(emulator.stats().requests).toBe(0);
  });

  it("verifies the bytes as sent: a base64 body from the gateway, header names in any case", async () => {
    const text = body(701, "recv-base64", 0, Date.now() - 1000);
    const encoded = awsRestEvent({ method: "POST", body: Buffer.from(text).toString("base64"), isBase64Encoded: true, headers: { SIGN: sign(text), sdkappid: String(APP) } });
    expect((await fn.handler(encoded, awsContext())).statusCode).toBe(200);
  });

  it.each([
    ["no Sign", (t: string) => ({ SdkAppId: String(APP) }), 401, "InvalidCallback.Sign"],
    ["a forged Sign", (t: string) => ({ Sign: sign(t, "SomeOtherKey"), SdkAppId: String(APP) }), 401, "InvalidCallback.Sign"],
    ["a Sign over re-serialised JSON", (t: string) => ({ Sign: sign(JSON.stringify(JSON.parse(t))), SdkAppId: String(APP) }), 401, "InvalidCallback.Sign"],
    ["no SdkAppId header", (t: string) => ({ Sign: sign(t) }), 400, "InvalidCallback.SdkAppId"],
    ["an SdkAppId outside the allow-list", (t: string) => ({ Sign: sign(t), SdkAppId: "1400000003" }), 403, "Forbidden.SdkAppId"],
  ])("%s → %i %s, nothing recorded, the key in no output", async (_name, headers, code, errorCode) => {
    const taskId = `refused-${code}-${errorCode}`;
    const text = body(702, taskId, 0, Date.now() - 1000);
    const { value: answer, lines } = await captureStdout(() => post(text, headers(text)));
    expect(answer.statusCode).toBe(code);
    expect(JSON.parse(answer.body)).toMatchObject({ code, error: { code: errorCode } });
    expect(JSON.stringify(answer) + lines.join("\n")).not.toContain(KEY);
    expect(await status(taskId)).not.toHaveProperty("relay");
  });

  it("a stale body is 400; over 64 KB is 413; another event group is 200 and not recorded", async () => {
    const stale = body(701, "stale", 0, Date.now() - 3_600_000, Date.now() - 3_600_000);
    expect(JSON.parse((await post(stale)).body).error.code).toBe("InvalidCallback.Stale");
    const big = `{"EventGroupId":7,"pad":"${"x".repeat(70_000)}"}`;
    expect((await post(big)).statusCode).toBe(413);
    const room = `{"EventGroupId":1,"EventType":103,"CallbackTs":${Date.now()},"EventInfo":{"RoomId":"1","EventTs":1,"UserId":"u"}}`;
    expect(await post(room)).toMatchObject({ statusCode: 200, body: '{"code":0}' });
  });

  it("the callback route takes callbacks only: a status query there is refused without a TRTC request", async () => {
    const query = { ...awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), rawPath: "/stream-ingest/callback" };
    expect((await fn.handler(query, awsContext())).statusCode).toBe(400);
    expect(emulator.stats().requests).toBe(0);
  });
});

describe("answers told with the record", () => {
  it("a running task's answer carries relay; after the stop one confirming request, then none", async () => {
    const taskId = emulator.seedTask({ SdkAppId: APP, endsAfterSeconds: 1 });
    const startedAt = Date.now() - 5000;
    await post(body(701, taskId, 0, startedAt));
    const running = await status(taskId);
    expect(running).toMatchObject({ ok: true, status: "InProgress", relay: { phase: "started", since: new Date(startedAt).toISOString(), events: [{ event: "started" }] } });

    // The relay ends; TRTC says so by callback.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stoppedAt = Date.now() - 10;
    await post(body(702, taskId, 0, stoppedAt));
    emulator.resetStats();
    const confirmed = await status(taskId);
    expect(confirmed).toMatchObject({ status: "NotExist", relay: { phase: "stopped", events: [{ event: "started" }, { event: "stopped" }] } });
    expect(emulator.stats().requests).toBe(1);
    for (let i = 0; i < 3; i++) {
      const later = await status(taskId);
      expect(later).toMatchObject({ status: "NotExist", running: false, cached: true, requestId: confirmed.requestId, checkedAt: confirmed.checkedAt, relay: { phase: "stopped" } });
    }
    expect(emulator.stats().requests).toBe(1);
  });
});

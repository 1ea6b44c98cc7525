/**
 * The relay's story end to end with the emulator's own callbacks: the emulator plays TRTC (signed 701/702 events,
 * its delivery rules and faults), a minimal HTTP API gateway hands each POST to the built bundle, and status
 * queries through the same bundle answer with `relay`, one confirming TRTC request after the stop, then none.
 * One container here (records in memory); test/fleet/ covers the fleet's Redis.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, type Bundle } from "../support/bundle";
import { APP, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent } from "../support/events";
import { startGateway, type TestGateway } from "../support/http-gateway";

const KEY = "EmulatorCallbackKey2026";
let emulator: RunningEmulator;
let gateway: TestGateway;
let fn: Bundle;

beforeAll(async () => {
  gateway = await startGateway(() => fn.handler, { base64: true });
  const started = await startTestEmulator({ callbacks: { url: `${gateway.url}/stream-ingest/callback`, key: KEY } });
  emulator = started.emulator;
  fn = loadBundle({ ...started.env, TRTC_CALLBACK_KEY: KEY });
});
afterEach(() => emulator.clearCallbackFaults());
afterAll(async () => {
  await emulator.close();
  await gateway.close();
});

const status = async (taskId: string) => {
  const response = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: taskId } }), awsContext());
  return JSON.parse(response.body);
};
const describes = () => emulator.stats().byAction.DescribeStreamIngest ?? 0;

describe("the emulator's callbacks through the bundle", () => {
  it("start, stop: relay on the answers; after the stop one confirming request, then answers from the record", async () => {
    const taskId = emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    expect(await status(taskId)).toMatchObject({ status: "InProgress", relay: { phase: "started", events: [{ event: "started" }] } });
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    const before = describes();
    const stopped = await status(taskId);
    expect(stopped).toMatchObject({ status: "NotExist", running: false, relay: { phase: "stopped", events: [{ event: "started" }, { event: "stopped" }] } });
    for (let i = 0; i < 3; i++) expect(await status(taskId)).toMatchObject({ status: "NotExist", cached: true, requestId: stopped.requestId, relay: { phase: "stopped" } });
    expect(describes() - before).toBe(1);
    expect(emulator.callbackLog().filter((entry) => entry.taskId === taskId).map((entry) => entry.state)).toEqual(["delivered", "delivered"]);
  });

  it("a duplicate and out-of-order delivery are recorded once, in event order", async () => {
    emulator.addCallbackFault({ fault: "reorder", times: 1, eventType: 701 });
    emulator.addCallbackFault({ fault: "duplicate", times: 1, eventType: 702 });
    const taskId = emulator.seedTask({ SdkAppId: APP });
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    const answer = await status(taskId);
    expect(answer.relay).toMatchObject({ phase: "stopped", events: [{ event: "started" }, { event: "stopped" }] });
    expect(answer.relay.events).toHaveLength(2);
  });

  it("a start that fails and a restart tell their story", async () => {
    emulator.addCallbackFault({ fault: "start-fails", times: 1 });
    const failed = emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    expect(await status(failed)).toMatchObject({ status: "NotExist", relay: { phase: "startFailed" } });

    const running = emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    emulator.restartTask(APP, running, { ms: 200 });
    await emulator.callbacksIdle();
    const restarted = await status(running);
    expect(restarted.relay.events.map((e: { event: string }) => e.event)).toEqual(["started", "restarting", "started"]);
    expect(restarted).toMatchObject({ status: "InProgress", relay: { phase: "started" } });
  });

  it("a lost event leaves the story untold, never a wrong one: TRTC's status is still the answer", async () => {
    emulator.addCallbackFault({ fault: "lose", times: 1, eventType: 702 });
    const taskId = emulator.seedTask({ SdkAppId: APP });
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    expect(await status(taskId)).toMatchObject({ status: "NotExist", relay: { phase: "started" } });
  });

  it("a wait for NotExist ends within a second of the stop, whatever its poll interval (one confirming request)", async () => {
    const taskId = emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    const before = describes();
    const waiting = fn.handler({ SdkAppId: APP, TaskId: taskId, waitFor: "NotExist", pollIntervalSeconds: 30, waitTimeoutSeconds: 20 }, awsContext(25_000));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stoppedAt = Date.now();
    emulator.stopTask(APP, taskId);
    const result = await waiting;
    const heardAfterMs = Date.now() - stoppedAt;
    expect(result).toMatchObject({ ok: true, status: "NotExist", relay: { phase: "stopped" }, wait: { for: "NotExist", satisfied: true, polls: 2 } });
    expect(heardAfterMs).toBeLessThan(1000);
    expect(describes() - before).toBe(2);
  });
});

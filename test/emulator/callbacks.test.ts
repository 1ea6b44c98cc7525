/**
 * The emulator plays TRTC's side of stream-ingest callbacks (trtc.io/document/62717; signature trtc.io/document/54912):
 * events, body and headers, signature, delivery rules (with shortened timings), faults, configuration, and that
 * nothing outlives close(). A real HTTP receiver verifies each Sign by itself over the raw bytes.
 */
import { createHmac } from "node:crypto";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { signBody, startEmulator, type CallbackSettings, type CallbackTiming, type RunningEmulator } from "../../emulator";
import { TaskStore, type IngestTask } from "../../emulator/tasks";
import { startCallbackReceiver, type CallbackReceiver, type ReceivedCallback } from "../support/callback-receiver";
import { clientSocketsTo, pendingTimers } from "../support/leaks";
import { DEMO_APP, rawRequest, sdkClient, sdkError, sleep } from "./helpers";

const KEY = "CallbackKey2026";
const APP = 1400000077;
const START = { SdkAppId: APP, RoomId: "1234", RoomIdType: 1, UserId: "relay_bot", UserSig: "sig", StreamUrl: "https://example.com/live.flv" };
/** TRTC's 5 s / 10 s / 1 min, scaled down so that a whole retry story takes about a second. */
const FAST: CallbackTiming = { answerTimeoutMs: 400, retryIntervalMs: 300, retryWindowMs: 1300 };
/** Timers fire late on a busy machine; this much lateness is allowed. */
const SLACK_MS = 200;
/** Node's timers and Date.now() round to the millisecond differently: a timer may seem to fire 1 ms early. */
const ROUNDING_MS = 2;

type OnTestFinished = (fn: () => Promise<void>) => void;

/**
 * Closes what a test opened when it finishes. Each test has an emulator and a receiver of its own, so most of them
 * (mostly waiting on the scaled delivery timings) run at once: describe.concurrent, with the context's expect.
 */
const closeAfter = (onTestFinished: OnTestFinished, ...open: { close(): Promise<void> }[]) =>
  onTestFinished(async () => void (await Promise.all(open.map((o) => o.close()))));

async function setup(onTestFinished: OnTestFinished, settings: Partial<CallbackSettings> = {}): Promise<{ emulator: RunningEmulator; receiver: CallbackReceiver }> {
  const receiver = await startCallbackReceiver(KEY);
  const emulator = await startEmulator({
    quiet: true,
    seedFile: "",
    rateLimitPerSecond: 1000,
    callbacks: { url: receiver.url, key: KEY, timing: FAST, ...settings },
  });
  closeAfter(onTestFinished, emulator, receiver); // the emulator closes first
  return { emulator, receiver };
}

const kinds = (callbacks: ReceivedCallback[]) => callbacks.map((c) => `${c.body.EventType}/${c.body.EventInfo.Status}`);
const describeStatus = async (emulator: RunningEmulator, taskId: string, sdkAppId = APP) =>
  (await sdkClient(emulator).DescribeStreamIngest({ SdkAppId: sdkAppId, TaskId: taskId })).Status;

describe.concurrent("events and their bodies", () => {
  it("StartStreamIngest sends 701 Status 0, StopStreamIngest 702 Status 0: TRTC's fields in its order, its headers, a valid Sign", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const client = sdkClient(emulator);
    const before = Date.now();
    const { TaskId } = await client.StartStreamIngest(START);
    const [started] = await receiver.waitFor(1);
    await client.StopStreamIngest({ SdkAppId: APP, TaskId: TaskId! });
    const [, stopped] = await receiver.waitFor(2);

    for (const callback of [started, stopped]) {
      expect(callback.method).toBe("POST");
      expect(callback.path).toBe("/stream-ingest/callback");
      expect(callback.headers["content-type"]).toBe("application/json");
      expect(callback.headers.sdkappid).toBe(String(APP));
      expect(callback.signValid).toBe(true);
      expect(Object.keys(callback.body)).toEqual(["EventGroupId", "EventType", "CallbackMsTs", "EventInfo"]);
      expect(Object.keys(callback.body.EventInfo)).toEqual(["EventMsTs", "TaskId", "Status"]);
      expect(callback.raw.toString()).toBe(JSON.stringify(callback.body)); // compact, as the page's signature example
    }
    expect(started.body).toMatchObject({ EventGroupId: 7, EventType: 701, EventInfo: { TaskId, Status: 0 } });
    expect(stopped.body).toMatchObject({ EventGroupId: 7, EventType: 702, EventInfo: { TaskId, Status: 0 } });
    expect(started.body.EventInfo.EventMsTs).toBeGreaterThanOrEqual(before);
    expect(stopped.body.EventInfo.EventMsTs).toBeGreaterThanOrEqual(started.body.EventInfo.EventMsTs);
    expect(started.body.CallbackMsTs).toBeGreaterThanOrEqual(started.body.EventInfo.EventMsTs);
    expect(await describeStatus(emulator, TaskId!)).toBe("NotExist");
  });

  it("a 701 arrives while Describe answers InProgress, a 702 once it answers NotExist", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const seen: string[] = [];
    receiver.onRequest = async (callback) => {
      seen.push(`${callback.body.EventType}:${await describeStatus(emulator, callback.body.EventInfo.TaskId)}`);
    };
    const taskId = emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle(); // the 701 answered (after its Describe)
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    expect(seen).toEqual(["701:InProgress", "702:NotExist"]);
  });

  it("a task that ends by itself sends its 702 when it ends, stamped with that moment", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const seededAt = Date.now();
    const taskId = emulator.seedTask({ SdkAppId: APP, endsAfterSeconds: 0.3 });
    const [started, ended] = await receiver.waitFor(2);
    expect(kinds([started, ended])).toEqual(["701/0", "702/0"]);
    expect(ended.body.EventInfo).toMatchObject({ TaskId: taskId });
    expect(ended.body.EventInfo.EventMsTs - seededAt).toBeGreaterThanOrEqual(300);
    expect(ended.body.EventInfo.EventMsTs - seededAt).toBeLessThan(300 + SLACK_MS);
    expect(ended.at - seededAt).toBeGreaterThanOrEqual(300 - ROUNDING_MS);
    expect(await describeStatus(emulator, taskId)).toBe("NotExist");
  });

  it("a looping task capped by MaxDuration ends by itself too (RepeatNum -1)", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const { TaskId } = await sdkClient(emulator).StartStreamIngest({ ...START, RepeatNum: -1, MaxDuration: 0 });
    expect(kinds(await receiver.waitFor(2))).toEqual(["701/0", "702/0"]);
    expect(receiver.received[1].body.EventInfo.TaskId).toBe(TaskId);
  });

  it("tasks given at start-up were already running: no 701, but their end is sent", async ({ expect, onTestFinished }) => {
    const receiver = await startCallbackReceiver(KEY);
    const emulator = await startEmulator({
      quiet: true,
      seedFile: "",
      tasks: [{ SdkAppId: APP, TaskId: "already-running", endsAfterSeconds: 0.2 }],
      callbacks: { url: receiver.url, key: KEY, timing: FAST },
    });
    closeAfter(onTestFinished, emulator, receiver);
    expect(kinds(await receiver.waitFor(1))).toEqual(["702/0"]);
  });

  it("tabbed bodies (cJSON's printed form) and EventMsTs as a string are signed over the bytes as sent", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished, { bodyStyle: "tabbed", eventMsTsAs: "string" });
    emulator.seedTask({ SdkAppId: APP, TaskId: "tabbed" });
    const [callback] = await receiver.waitFor(1);
    expect(callback.signValid).toBe(true);
    expect(callback.raw.toString()).toMatch(/^\{\n\t"EventGroupId":\t7,\n\t"EventType":\t701,\n\t"CallbackMsTs":\t\d+,\n\t"EventInfo":\t\{\n\t\t"EventMsTs":\t"\d+",/);
    expect(callback.body.EventInfo).toMatchObject({ TaskId: "tabbed", Status: 0 });
    expect(typeof callback.body.EventInfo.EventMsTs).toBe("string");
  });

  it("signBody reproduces the signature page's verified example (key 123654)", ({ expect }) => {
    const body =
      '{\n\t"EventGroupId":\t2,\n\t"EventType":\t204,\n\t"CallbackTs":\t1664209748188,\n\t"EventInfo":\t{\n\t\t"RoomId":\t8489,\n\t\t"EventTs":\t1664209748,\n\t\t"EventMsTs":\t1664209748180,\n\t\t"UserId":\t"user_85034614",\n\t\t"Reason":\t0\n\t}\n}';
    expect(signBody("123654", body)).toBe("kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA=");
    expect(signBody(KEY, "é")).toBe(createHmac("sha256", KEY).update(Buffer.from("é", "utf8")).digest("base64"));
  });
});

describe.concurrent("delivery rules (trtc.io/document/62717 'Timeout Retry', timings scaled)", () => {
  it("an attempt not answered in time fails and is retried at once; the retry's CallbackMsTs is its own", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    receiver.respond = (_, index) => (index === 0 ? "hang" : { status: 200 });
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    const [entry] = emulator.callbackLog();
    expect(entry.state).toBe("delivered");
    expect(entry.attempts.map((a) => a.error ?? a.httpStatus)).toEqual(["timeout", 200]);
    const [first, second] = entry.attempts;
    expect(second.at - first.at).toBeGreaterThanOrEqual(FAST.answerTimeoutMs - ROUNDING_MS);
    expect(second.at - first.at).toBeLessThan(FAST.answerTimeoutMs + SLACK_MS);
    const [a, b] = receiver.received;
    expect(a.body.EventInfo.EventMsTs).toBe(b.body.EventInfo.EventMsTs);
    expect([a.body.CallbackMsTs, b.body.CallbackMsTs]).toEqual([first.at, second.at]);
    expect(b.signValid).toBe(true);
  });

  it("later failures are retried every retryIntervalMs; an HTTP 200 ends the retries (2xx other than 200 does not)", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const answers = [500, 503, 204, 200];
    receiver.respond = (_, index) => ({ status: answers[index] ?? 200 });
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    const [entry] = emulator.callbackLog();
    expect(entry.attempts.map((a) => a.httpStatus)).toEqual([500, 503, 204, 200]);
    expect(entry.state).toBe("delivered");
    const gaps = entry.attempts.slice(1).map((a, i) => a.at - (entry.attempts[i].at + entry.attempts[i].durationMs));
    expect(gaps[0]).toBeLessThan(SLACK_MS); // the immediate retry
    for (const gap of gaps.slice(1)) {
      expect(gap).toBeGreaterThanOrEqual(FAST.retryIntervalMs - ROUNDING_MS);
      expect(gap).toBeLessThan(FAST.retryIntervalMs + SLACK_MS);
    }
    await sleep(FAST.retryIntervalMs + 50);
    expect(receiver.received).toHaveLength(4);
  });

  it("a connection error is a failed attempt (nothing listens on the URL)", async ({ expect, onTestFinished }) => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const emulator = await startEmulator({ quiet: true, seedFile: "", callbacks: { url: `http://127.0.0.1:${closedPort}/cb`, key: KEY, timing: FAST } });
    closeAfter(onTestFinished, emulator);
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    const [entry] = emulator.callbackLog();
    expect(entry.state).toBe("given-up");
    expect(new Set(entry.attempts.map((a) => a.error))).toEqual(new Set(["ECONNREFUSED"]));
  });

  it("a receiver that resets the connection fails the attempt", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    receiver.respond = (_, index) => (index === 0 ? "reset" : { status: 200 });
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    expect(emulator.callbackLog()[0].attempts.map((a) => a.error ?? a.httpStatus)).toEqual(["ECONNRESET", 200]);
  });

  it("deliveries are independent: a receiver hanging on one task's event does not hold up another's", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished, { timing: { ...FAST, answerTimeoutMs: 2000 } });
    receiver.respond = (callback) => (callback.body.EventInfo.TaskId === "slow" ? "hang" : { status: 200 });
    emulator.seedTask({ SdkAppId: APP, TaskId: "slow" });
    const fastAt = Date.now();
    emulator.seedTask({ SdkAppId: APP, TaskId: "fast" });
    await receiver.waitFor(2);
    await sleep(50);
    const fast = emulator.callbackLog().find((e) => e.taskId === "fast")!;
    expect(fast.state).toBe("delivered");
    expect(fast.attempts[0].at + fast.attempts[0].durationMs - fastAt).toBeLessThan(500);
    expect(emulator.callbackLog().find((e) => e.taskId === "slow")!.state).toBe("pending");
  });
});

describe.concurrent("faults", () => {
  it("lose: the event is never sent, and logged as lost", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: "lose", eventType: 701, times: 1 });
    const taskId = emulator.seedTask({ SdkAppId: APP });
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    expect(kinds(receiver.received)).toEqual(["702/0"]);
    expect(emulator.callbackLog().map((e) => [e.eventType, e.state, e.faults])).toEqual([
      [701, "lost", ["lose"]],
      [702, "delivered", []],
    ]);
  });

  it("duplicate: the same event is delivered twice (same EventMsTs)", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: { type: "duplicate" }, times: 1 });
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    const [a, b] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect([a.body.EventType, b.body.EventType]).toEqual([701, 701]);
    expect(a.body.EventInfo).toEqual(b.body.EventInfo);
    expect(a.signValid && b.signValid).toBe(true);
  });

  it("reorder: the event is held back and arrives after the task's next event", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: "reorder", eventType: 701, times: 1 });
    const taskId = emulator.seedTask({ SdkAppId: APP });
    await sleep(100);
    expect(receiver.received).toHaveLength(0);
    expect(emulator.callbackLog()[0].state).toBe("held");
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    expect(kinds(receiver.received)).toEqual(["702/0", "701/0"]);
    const [stop, start] = receiver.received.map((c) => c.body.EventInfo.EventMsTs);
    expect(start).toBeLessThan(stop); // EventMsTs tells the true order
  });

  it("reorder: an event with no next one goes out after maxHoldMs", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: { type: "reorder", maxHoldMs: 200 }, eventType: 702 });
    const heldAt = Date.now();
    emulator.stopTask(APP, emulator.seedTask({ SdkAppId: APP }));
    await emulator.callbacksIdle();
    expect(kinds(receiver.received)).toEqual(["701/0", "702/0"]);
    expect(receiver.received[1].at - heldAt).toBeGreaterThanOrEqual(200 - ROUNDING_MS);
  });

  it("delay: the first attempt is sent ms late; CallbackMsTs says when, EventMsTs keeps the event's time", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: { type: "delay", ms: 300 }, times: 1 });
    emulator.seedTask({ SdkAppId: APP });
    const [callback] = await receiver.waitFor(1);
    expect(callback.body.CallbackMsTs - callback.body.EventInfo.EventMsTs).toBeGreaterThanOrEqual(300 - ROUNDING_MS);
    expect(callback.signValid).toBe(true);
  });

  it("start-fails: StartStreamIngest answers a TaskId, 701 Status 1 is sent, and the task does not run", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: "start-fails", times: 1 });
    const client = sdkClient(emulator);
    const { TaskId } = await client.StartStreamIngest(START);
    expect(await describeStatus(emulator, TaskId!)).toBe("NotExist");
    expect(kinds(await receiver.waitFor(1))).toEqual(["701/1"]);
    expect((await sdkError(client.StopStreamIngest({ SdkAppId: APP, TaskId: TaskId! }))).code).toBe("FailedOperation.TaskNotExist");
    const next = await client.StartStreamIngest(START); // the rule was used up
    expect(await describeStatus(emulator, next.TaskId!)).toBe("InProgress");
    expect(emulator.callbackLog()[0].faults).toEqual(["start-fails"]);
  });

  it("restart: 701 Status 2 while the task runs, then 701 Status 0 again after ms", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    emulator.addCallbackFault({ fault: { type: "restart", ms: 200 }, times: 1 });
    const taskId = emulator.seedTask({ SdkAppId: APP });
    await receiver.waitFor(2);
    expect(await describeStatus(emulator, taskId)).toBe("InProgress");
    await emulator.callbacksIdle();
    expect(kinds(receiver.received)).toEqual(["701/0", "701/2", "701/0"]);
    const [, again, started] = receiver.received.map((c) => c.body.EventInfo.EventMsTs);
    expect(started - again).toBeGreaterThanOrEqual(200 - ROUNDING_MS);
    expect(await describeStatus(emulator, taskId)).toBe("InProgress");
  });

  it("restartTask and POST /_emulator/tasks/restart restart a running task; a stop during a restart sends no late 701", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const taskId = emulator.seedTask({ SdkAppId: APP });
    expect(emulator.restartTask(APP, taskId, { ms: 100 })).toBe(true);
    await emulator.callbacksIdle();
    const res = await rawRequest(emulator, { path: "/_emulator/tasks/restart", body: JSON.stringify({ SdkAppId: APP, TaskId: taskId, ms: 5000 }) });
    expect(res.status).toBe(200);
    await receiver.waitFor(4);
    emulator.stopTask(APP, taskId);
    await emulator.callbacksIdle();
    expect(kinds(receiver.received)).toEqual(["701/0", "701/2", "701/0", "701/2", "702/0"]);
    expect(emulator.restartTask(APP, taskId)).toBe(false);
    const missing = await rawRequest(emulator, { path: "/_emulator/tasks/restart", body: JSON.stringify({ SdkAppId: APP, TaskId: taskId }) });
    expect(missing.status).toBe(404);
  });

  it("rules match by eventType, wear off after times, are refused when malformed, and clear", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    expect(() => emulator.addCallbackFault({ fault: "explode" } as never)).toThrow(/one of/);
    expect(() => emulator.addCallbackFault({ fault: "start-fails", eventType: 702 })).toThrow(/701/);
    expect(() => emulator.addCallbackFault({ fault: { type: "delay" } } as never)).toThrow(/ms/);
    expect(() => emulator.addCallbackFault({ fault: "lose", times: 0 })).toThrow(/times/);
    const viaControl = await rawRequest(emulator, { path: "/_emulator/callbacks/faults", body: JSON.stringify({ fault: "lose", eventType: 702, times: 2 }) });
    expect(viaControl.status).toBe(200);
    for (let i = 0; i < 3; i++) emulator.stopTask(APP, emulator.seedTask({ SdkAppId: APP }));
    await emulator.callbacksIdle();
    expect(kinds(receiver.received).sort()).toEqual(["701/0", "701/0", "701/0", "702/0"]);
    emulator.addCallbackFault({ fault: "lose" });
    expect((await rawRequest(emulator, { method: "DELETE", path: "/_emulator/callbacks/faults" })).status).toBe(200);
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    expect(receiver.received).toHaveLength(5);
  });
});

describe.concurrent("configuration", () => {
  it("refuses keys the console refuses and URLs that are not http(s), never echoing the key", async ({ expect, onTestFinished }) => {
    for (const key of ["", "a".repeat(33), "has space", "dash-ed", "ключ"]) {
      await expect(startEmulator({ quiet: true, callbacks: { url: "http://127.0.0.1:1/cb", key } })).rejects.toThrow(/1 to 32 letters and digits/);
    }
    await expect(startEmulator({ quiet: true, callbacks: { url: "ftp://example.com/cb", key: KEY } })).rejects.toThrow(/http/);
    await expect(startEmulator({ quiet: true, callbacks: { url: "/relative", key: KEY } })).rejects.toThrow(/http/);
    const emulator = await startEmulator({ quiet: true, seedFile: "" });
    closeAfter(onTestFinished, emulator);
    const refused = await rawRequest(emulator, { path: "/_emulator/callbacks", body: JSON.stringify({ url: "http://127.0.0.1:1/cb", key: "Secret-With-Dash" }) });
    expect(refused.status).toBe(400);
    expect(refused.body).not.toContain("Secret-With-Dash");
    expect(() => emulator.configureCallbacks({ url: "http://x/cb", key: KEY, timing: { answerTimeoutMs: -1 } })).toThrow(/answerTimeoutMs/);
  });

  it("the control route turns callbacks on and off; GET lists settings and the log, never the key", async ({ expect, onTestFinished }) => {
    const receiver = await startCallbackReceiver(KEY);
    const emulator = await startEmulator({ quiet: true, seedFile: "" });
    closeAfter(onTestFinished, emulator, receiver);
    emulator.seedTask({ SdkAppId: APP, TaskId: "before" }); // callbacks off: nothing sent
    const on = await rawRequest(emulator, { path: "/_emulator/callbacks", body: JSON.stringify({ url: `${receiver.url}?token=t0k3n`, key: KEY, timing: FAST }) });
    expect(JSON.parse(on.body)).toMatchObject({ url: `${receiver.url}?…`, timing: FAST });
    emulator.seedTask({ SdkAppId: APP, TaskId: "during" });
    await emulator.callbacksIdle();
    expect((await rawRequest(emulator, { method: "DELETE", path: "/_emulator/callbacks" })).status).toBe(200);
    emulator.seedTask({ SdkAppId: APP, TaskId: "after" });
    await emulator.callbacksIdle();
    expect(receiver.received.map((c) => c.body.EventInfo.TaskId)).toEqual(["during"]);
    expect(receiver.received[0].path).toBe("/stream-ingest/callback?token=t0k3n");

    const listed = await rawRequest(emulator, { method: "GET", path: "/_emulator/callbacks" });
    expect(listed.body).not.toContain(KEY);
    expect(listed.body).not.toContain("t0k3n");
    const view = JSON.parse(listed.body);
    expect(view.url).toBeNull();
    expect(view.log).toHaveLength(1);
    expect(view.log[0]).toMatchObject({ taskId: "during", eventType: 701, status: 0, state: "delivered", attempts: [{ httpStatus: 200, ok: true }] });
    expect((await rawRequest(emulator, { method: "GET", path: "/_emulator/callbacks/idle" })).body).toBe('{"idle":true}');
    expect((await rawRequest(emulator, { path: "/_emulator/callbacks" })).status).toBe(400); // POST needs {url, key}
  });

  it("POST /_emulator/tasks/stop stops a task without signing and sends its 702; 404 when it does not run", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    const taskId = emulator.seedTask({ SdkAppId: DEMO_APP, TaskId: "stop-me" });
    const stop = () => rawRequest(emulator, { path: "/_emulator/tasks/stop", body: JSON.stringify({ SdkAppId: DEMO_APP, TaskId: taskId }) });
    expect((await stop()).status).toBe(200);
    expect((await stop()).status).toBe(404);
    expect((await rawRequest(emulator, { path: "/_emulator/tasks/stop", body: JSON.stringify({ SdkAppId: "x", TaskId: taskId }) })).status).toBe(400);
    await emulator.callbacksIdle();
    expect(kinds(receiver.received)).toEqual(["701/0", "702/0"]);
    expect(receiver.received[1].headers.sdkappid).toBe(String(DEMO_APP));
    expect(await describeStatus(emulator, taskId, DEMO_APP)).toBe("NotExist");
  });
});

// Alone, not beside the concurrent tests: the emulator decides to retry before its pause, and an attempt whose timer
// fires late (a busy process) starts past the window, which this test allows no slack for.
describe("delivery rules: the retry window", () => {
  it("gives up when the next attempt would start more than retryWindowMs after the first", async ({ expect, onTestFinished }) => {
    const { emulator, receiver } = await setup(onTestFinished);
    receiver.respond = () => ({ status: 503 });
    emulator.seedTask({ SdkAppId: APP });
    await emulator.callbacksIdle();
    const [entry] = emulator.callbackLog();
    expect(entry.state).toBe("given-up");
    const first = entry.attempts[0].at;
    const last = entry.attempts.at(-1)!;
    expect(entry.attempts.length).toBeGreaterThanOrEqual(4);
    expect(last.at - first).toBeLessThanOrEqual(FAST.retryWindowMs);
    expect(last.at + last.durationMs + FAST.retryIntervalMs - first).toBeGreaterThan(FAST.retryWindowMs);
    await sleep(FAST.retryIntervalMs + 50);
    expect(receiver.received).toHaveLength(entry.attempts.length);
  });
});

describe("close()", () => {
  it("ends every callback request, retry, held event, restart and end timer; callbacksIdle resolves", async ({ expect, onTestFinished }) => {
    const receiver = await startCallbackReceiver(KEY);
    closeAfter(onTestFinished, receiver);
    const timersBefore = pendingTimers();
    const emulator = await startEmulator({ quiet: true, seedFile: "", callbacks: { url: receiver.url, key: KEY, timing: { ...FAST, answerTimeoutMs: 60_000 } } });
    receiver.respond = (callback) => (callback.body.EventInfo.TaskId.startsWith("hung") ? "hang" : { status: 500 });
    emulator.seedTask({ SdkAppId: APP, TaskId: "hung", endsAfterSeconds: 3600 }); // an in-flight request and an end timer
    emulator.seedTask({ SdkAppId: APP, TaskId: "retrying" }); // a retry waiting
    emulator.addCallbackFault({ fault: "reorder", times: 2 });
    emulator.addCallbackFault({ fault: { type: "restart", afterMs: 60_000 }, times: 1 });
    emulator.seedTask({ SdkAppId: APP, TaskId: "held" }); // a held event and a scheduled restart
    // A held 701 whose task's 702 hangs: released only after that first attempt, which close() cuts short.
    emulator.stopTask(APP, emulator.seedTask({ SdkAppId: APP, TaskId: "hung-behind" }));
    await receiver.waitFor(3);
    expect(clientSocketsTo(receiver.port)).toBeGreaterThan(0);
    expect(pendingTimers()).toBeGreaterThan(timersBefore);
    const idle = emulator.callbacksIdle();
    const closing = Date.now();
    await emulator.close();
    await idle;
    expect(Date.now() - closing).toBeLessThan(500);
    await sleep(20);
    expect(clientSocketsTo(receiver.port)).toBe(0);
    expect(pendingTimers()).toBeLessThanOrEqual(timersBefore); // (another timer of the process may have ended meanwhile)
    expect(new Set(emulator.callbackLog().map((e) => e.state))).toEqual(new Set(["cancelled"]));
    const count = receiver.received.length;
    await sleep(FAST.retryIntervalMs + 50);
    expect(receiver.received).toHaveLength(count);
  });
});

describe("TaskStore", () => {
  it("a task found after its end ends there, once: one 702 stamped with its end, its timer cleared", () => {
    const ended: [string, number][] = [];
    const store = new TaskStore();
    store.listen({ started: () => true, ended: (task: IngestTask, at: number) => void ended.push([task.taskId, at]) });
    const now = Date.now();
    const taskId = store.seed({ SdkAppId: APP, endsAfterSeconds: 10 }, now);
    expect(pendingTimers()).toBeGreaterThan(0);
    expect(store.find(APP, taskId, now + 9_999)).toBeDefined();
    expect(store.find(APP, taskId, now + 10_000)).toBeUndefined();
    expect(store.find(APP, taskId, now + 20_000)).toBeUndefined();
    expect(store.stop(APP, taskId, now + 20_000)).toBe(false);
    expect(ended).toEqual([[taskId, now + 10_000]]);
    store.close();
  });
});

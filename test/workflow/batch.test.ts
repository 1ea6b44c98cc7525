/**
 * Batch queries through the built bundle against the emulator: one result per task in input order, per-task
 * validation and allow-list, batch-level shape errors, HTTP, the deadline, and the rate limit (counted by the
 * emulator, retries included).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry, RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, isolatedEmulator, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent, tencentApiGatewayEvent } from "../support/events";

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let fn: Bundle;
/** The 100 running tasks every emulator of this file is seeded with. */
const running = Array.from({ length: 100 }, (_, i) => `batch-task-${String(i).padStart(3, "0")}`);
const seed100 = (emulator: RunningEmulator) => running.forEach((TaskId) => emulator.seedTask({ SdkAppId: APP, TaskId }));

beforeAll(async () => {
  ({ emulator, env } = await startTestEmulator());
  fn = loadBundle(env);
  seed100(emulator);
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

/** For the tests that wait on the 18/s pace or a deadline: they run at once, each with its own emulator and pacer. */
async function isolated(onTestFinished: (fn: () => Promise<void>) => void): Promise<{ emulator: RunningEmulator; fn: Bundle }> {
  const isolated = await isolatedEmulator(onTestFinished);
  seed100(isolated.emulator);
  return isolated;
}

/** The most API requests (accepted, throttled or faulted alike) the emulator saw in any sliding 1000 ms window. */
function maxPerSecond(log: RequestLogEntry[]): number {
  const at = log.map((entry) => entry.at).sort((a, b) => a - b);
  let max = 0;
  for (let first = 0, last = 0; last < at.length; last++) {
    while (at[last]! - at[first]! >= 1000) first++;
    max = Math.max(max, last - first + 1);
  }
  return max;
}

// Concurrent: each test waits seconds on the pace or a deadline, with an emulator and a container of its own.
describe.concurrent("a batch of 100 tasks", () => {
  it("answers every task in input order, stays under 20 requests in any second, and takes under 6.5 s", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolated(onTestFinished);
    // Every fourth task does not exist: the answers must follow the input, not the completion order.
    const taskIds = running.map((id, i) => (i % 4 === 3 ? `missing-${i}` : id));
    const started = Date.now();
    const result = await fn.handler({ SdkAppId: APP, TaskIds: taskIds }, awsContext(15_000));
    const elapsed = Date.now() - started;
    const stats = emulator.stats();

    expect(result.ok).toBe(true);
    expect(result.results).toHaveLength(100);
    result.results.forEach((r: any, i: number) => {
      expect(r).toMatchObject({ ok: true, sdkAppId: APP, taskId: taskIds[i], status: i % 4 === 3 ? "NotExist" : "InProgress", running: i % 4 !== 3 });
    });
    expect(result.summary).toEqual({ tasks: 100, answered: 100, running: 75, failed: 0 });
    expect(stats.requests).toBe(100);
    expect(stats.throttled).toBe(0);
    expect(maxPerSecond(stats.log)).toBeLessThanOrEqual(20);
    expect(stats.maxInAnyWindow).toBeLessThanOrEqual(20);
    expect(elapsed).toBeLessThan(6500);
    console.info(`batch of 100: ${elapsed} ms, max ${maxPerSecond(stats.log)} requests in any 1 s window, per second ${JSON.stringify(stats.perSecond)}`);
  });

  it("keeps under the limit while TRTC throttles and recovers, counting the retries", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolated(onTestFinished);
    emulator.addFault({ fault: { type: "throttle" }, durationMs: 1200 });
    const result = await fn.handler({ SdkAppId: APP, TaskIds: running.slice(0, 40) }, awsContext(15_000));
    const stats = emulator.stats();
    expect(stats.requests).toBeGreaterThan(40); // retries happened
    expect(maxPerSecond(stats.log)).toBeLessThanOrEqual(20);
    expect(result.results.filter((r: any) => r.ok)).toHaveLength(40);
    expect(result.ok).toBe(true);
  });

  it("back-to-back batches in one container share the pace", async ({ expect, onTestFinished }) => {
    const { emulator, fn } = await isolated(onTestFinished);
    await Promise.all([
      fn.handler({ SdkAppId: APP, TaskIds: running.slice(0, 30) }, awsContext(15_000)),
      fn.handler({ SdkAppId: APP, TaskIds: running.slice(30, 60) }, awsContext(15_000)),
    ]);
    const stats = emulator.stats();
    expect(stats.throttled).toBe(0);
    expect(maxPerSecond(stats.log)).toBeLessThanOrEqual(20);
  });
});

describe.concurrent("the deadline", () => {
  it.for([
    ["AWS", () => awsContext(2000)],
    ["SCF", () => scfContext(2000)],
  ] as const)("tasks that cannot start before a 2 s %s limit get UpstreamTimeout, and the batch answers in time", async ([_name, context], { expect, onTestFinished }) => {
    const { emulator, fn } = await isolated(onTestFinished);
    const started = Date.now();
    const result = await fn.handler({ SdkAppId: APP, TaskIds: running }, context());
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    const answered = result.results.filter((r: any) => r.ok);
    const timedOut = result.results.filter((r: any) => !r.ok);
    expect(answered.length).toBeGreaterThan(10);
    expect(timedOut.length).toBeGreaterThan(50);
    for (const r of timedOut) expect(r).toMatchObject({ sdkAppId: APP, error: { code: "UpstreamTimeout", retryable: true }, requestId: null });
    // Answered tasks come first: they were started in input order.
    expect(result.results.findIndex((r: any) => !r.ok)).toBe(answered.length);
    expect(emulator.stats().requests).toBe(answered.length);
  });
});

describe("tasks are judged one by one", () => {
  it("a bad task gets its own failure in its slot, nothing is sent for it, and the others are answered", async () => {
    const tasks = [
      { SdkAppId: APP, TaskId: DEMO_TASK },
      { SdkAppId: APP, TaskId: "has space" },
      { TaskId: DEMO_TASK },
      { SdkAppId: "0x10", TaskId: DEMO_TASK },
      { SdkAppId: APP },
      { sdkAppId: String(APP), taskId: "camel-missing" },
    ];
    const result = await fn.handler({ Tasks: tasks }, awsContext());
    expect(result.ok).toBe(false);
    expect(result.results.map((r: any) => (r.ok ? r.status : r.error.code))).toEqual([
      "InProgress",
      "InvalidParameter.TaskId",
      "MissingParameter.SdkAppId",
      "InvalidParameter.SdkAppId",
      "MissingParameter.TaskId",
      "NotExist",
    ]);
    expect(result.results[1]).toMatchObject({ ok: false, sdkAppId: APP, taskId: null, requestId: null, error: { retryable: false } });
    expect(result.summary).toEqual({ tasks: 6, answered: 2, running: 1, failed: 4 });
    expect(emulator.stats().requests).toBe(2);
  });

  it("TaskIds share the batch's SdkAppId; null and non-strings are per-task failures", async () => {
    const result = await fn.handler({ SdkAppId: String(APP), TaskIds: [DEMO_TASK, null, 42, ""] }, awsContext());
    expect(result.results.map((r: any) => (r.ok ? r.status : r.error.code))).toEqual([
      "InProgress",
      "MissingParameter.TaskId",
      "InvalidParameter.TaskId",
      "MissingParameter.TaskId",
    ]);
  });

  it("a task's own SdkAppId wins over the batch's", async () => {
    const result = await fn.handler({ SdkAppId: 1400000002, Tasks: [{ TaskId: DEMO_TASK }, { SdkAppId: APP, TaskId: DEMO_TASK }] }, awsContext());
    expect(result.results.map((r: any) => [r.sdkAppId, r.status])).toEqual([[1400000002, "NotExist"], [APP, "InProgress"]]);
  });

  it("the same task twice is asked once and answered in both slots", async () => {
    const result = await fn.handler({ SdkAppId: APP, TaskIds: [DEMO_TASK, "x", DEMO_TASK] }, awsContext());
    expect(result.results.map((r: any) => r.status)).toEqual(["InProgress", "NotExist", "InProgress"]);
    expect(emulator.stats().requests).toBe(2);
  });

  it("the allow-list applies per task, with no upstream call for a refused one", async () => {
    const limited = loadBundle({ ...env, TRTC_ALLOWED_SDK_APP_IDS: String(APP) });
    const result = await limited.handler({ Tasks: [{ SdkAppId: APP, TaskId: DEMO_TASK }, { SdkAppId: 1400000002, TaskId: DEMO_TASK }] }, awsContext());
    expect(result.results[0]).toMatchObject({ ok: true, status: "InProgress" });
    expect(result.results[1]).toMatchObject({ ok: false, sdkAppId: 1400000002, taskId: DEMO_TASK, error: { code: "Forbidden.SdkAppId", retryable: false } });
    expect(emulator.stats().requests).toBe(1);
    loadBundle({ TRTC_ALLOWED_SDK_APP_IDS: undefined });
  });

  it("an upstream failure of one task is that task's failure", async () => {
    emulator.addFault({ fault: { type: "api-error", code: "InvalidParameter.TaskId" }, times: 1 });
    const result = await fn.handler({ SdkAppId: APP, TaskIds: ["first"] }, awsContext());
    expect(result.results[0]).toMatchObject({ ok: false, taskId: "first", error: { code: "InvalidParameter.TaskId" } });
    expect(result.results[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("the batch as a whole", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["TaskIds that is not an array", { SdkAppId: APP, TaskIds: "a,b" }, "InvalidRequest.Batch"],
    ["an empty TaskIds", { SdkAppId: APP, TaskIds: [] }, "InvalidRequest.Batch"],
    ["an empty Tasks", { Tasks: [] }, "InvalidRequest.Batch"],
    ["a Tasks entry that is not an object", { Tasks: [{ SdkAppId: APP, TaskId: "a" }, "b"] }, "InvalidRequest.Batch"],
    ["both TaskIds and Tasks", { SdkAppId: APP, TaskIds: ["a"], Tasks: [{ TaskId: "b" }] }, "InvalidRequest.Batch"],
    ["both TaskId and TaskIds", { SdkAppId: APP, TaskId: "a", TaskIds: ["b"] }, "InvalidRequest.Batch"],
    ["waitFor with a batch", { SdkAppId: APP, TaskIds: ["a"], waitFor: "NotExist" }, "InvalidRequest.Batch"],
    ["101 tasks", { SdkAppId: APP, TaskIds: Array.from({ length: 101 }, (_, i) => `t${i}`) }, "InvalidRequest.BatchTooLarge"],
  ])("%s is refused with a clear failure and no upstream call", async (_name, event, code) => {
    const result = await fn.handler(event, awsContext());
    expect(result).toMatchObject({ ok: false, error: { code, retryable: false }, requestId: null });
    expect(result.error.message.length).toBeGreaterThan(10);
    expect(emulator.stats().requests).toBe(0);
  });

  it("exactly 100 tasks are accepted", async () => {
    const result = await fn.handler({ SdkAppId: APP, TaskIds: Array.from({ length: 100 }, () => "same-task") }, awsContext());
    expect(result.results).toHaveLength(100);
    expect(emulator.stats().requests).toBe(1);
  });

  it("a configuration error fails the whole batch", async () => {
    const bad = loadBundle({ ...env, TRTC_REGION: "AP-SINGAPORE" });
    const result = await bad.handler({ SdkAppId: APP, TaskIds: [DEMO_TASK] }, awsContext());
    expect(result).toMatchObject({ ok: false, sdkAppId: APP, error: { code: "InvalidConfiguration.Region" } });
    loadBundle({ TRTC_REGION: undefined });
  });
});

describe("over HTTP", () => {
  it("a POST body with TaskIds answers 200 with the batch", async () => {
    const body = JSON.stringify({ SdkAppId: APP, TaskIds: [DEMO_TASK, "nope", "bad id"] });
    const response = await fn.handler(awsHttpApiEvent({ method: "POST", body, headers: { "content-type": "application/json" } }), awsContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    const parsed = JSON.parse(response.body);
    expect(parsed.ok).toBe(false);
    expect(parsed.results.map((r: any) => (r.ok ? r.status : r.error.code))).toEqual(["InProgress", "NotExist", "InvalidParameter.TaskId"]);
  });

  it("Tasks in a Tencent API Gateway body work the same", async () => {
    const body = JSON.stringify({ Tasks: [{ SdkAppId: APP, TaskId: DEMO_TASK }] });
    const response = await fn.main_handler(tencentApiGatewayEvent({ method: "POST", body }), scfContext());
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, results: [{ status: "InProgress" }] });
  });

  it("batch shape errors are 400, and TaskIds in a query string is not a JSON array", async () => {
    const tooLarge = JSON.stringify({ SdkAppId: APP, TaskIds: Array.from({ length: 101 }, (_, i) => `t${i}`) });
    const a = await fn.handler(awsHttpApiEvent({ method: "POST", body: tooLarge }), awsContext());
    expect(a.statusCode).toBe(400);
    expect(JSON.parse(a.body).error.code).toBe("InvalidRequest.BatchTooLarge");
    const b = await fn.handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskIds: "a,b" } }), awsContext());
    expect(b.statusCode).toBe(400);
    expect(JSON.parse(b.body).error).toMatchObject({ code: "InvalidRequest.Batch" });
    expect(JSON.parse(b.body).error.message).toContain("JSON body");
  });

  it("a batch over HTTP is never thrown, even with TRTC_THROW_ON_ERROR", async () => {
    const throwing = loadBundle({ ...env, TRTC_THROW_ON_ERROR: "true" });
    const response = await throwing.handler(awsHttpApiEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskIds: [] }) }), awsContext());
    expect(response.statusCode).toBe(400);
    loadBundle({ TRTC_THROW_ON_ERROR: undefined });
  });
});

describe("with throwOnError", () => {
  it("a batch with failed tasks is returned, not thrown; a malformed batch is thrown", async () => {
    const result = await fn.handler({ SdkAppId: APP, TaskIds: [DEMO_TASK, "bad id"], throwOnError: true }, awsContext());
    expect(result.ok).toBe(false);
    expect(result.results[1].error.code).toBe("InvalidParameter.TaskId");
    await expect(fn.handler({ SdkAppId: APP, TaskIds: [], throwOnError: true }, awsContext())).rejects.toMatchObject({ name: "InvalidRequest.Batch" });
  });
});

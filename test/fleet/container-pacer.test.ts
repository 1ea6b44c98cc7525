/**
 * One container, one pacer: batches and single-task invocations running at the same time share the container's
 * request budget (TRTC counts them together), and identical concurrent single queries share one request in flight.
 * Through the built bundle against the emulator's 20 requests per second.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";

let emulator: RunningEmulator;
let fn: Bundle;

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  fn = loadBundle({ ...started.env, TRTC_REDIS_URL: undefined, TRTC_STATUS_CACHE_TTL_MS: undefined, TRTC_RATE_LIMIT_PER_SECOND: undefined });
});
afterAll(() => emulator.close());

describe("every upstream request of a container goes through one pacer", () => {
  it("two batches and 24 single invocations at once: nothing throttled, every task answered", async () => {
    emulator.resetStats();
    const batch = (n: number) => Array.from({ length: 18 }, (_, i) => `pacer-b${n}-${i}`);
    const singles = Array.from({ length: 24 }, (_, i) => fn.handler({ SdkAppId: APP, TaskId: `pacer-single-${i}` }, awsContext(15_000)));
    const batches = [1, 2].map((n) => fn.handler({ SdkAppId: APP, TaskIds: batch(n) }, awsContext(15_000)));
    const [one, two] = await Promise.all(batches);
    const answers = await Promise.all(singles);
    const stats = emulator.stats();
    expect(one.summary.answered + two.summary.answered).toBe(36);
    expect(answers.every((a) => a.ok === true)).toBe(true);
    expect(stats.requests).toBe(60);
    expect(stats.throttled).toBe(0);
  });

  it("identical concurrent queries in one container share one upstream request", async () => {
    emulator.resetStats();
    const answers = await Promise.all(Array.from({ length: 10 }, () => fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5_000))));
    expect(answers.every((a) => a.ok === true && a.status === "InProgress" && a.cached === undefined)).toBe(true);
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(1);
    expect(emulator.stats().requests).toBe(1);
  });

  it("TRTC_STATUS_CACHE_TTL_MS without Redis: this container reuses an answer for the TTL, marked cached, errors never", async () => {
    const cachedFn = loadBundle({ TRTC_STATUS_CACHE_TTL_MS: "300" });
    emulator.resetStats();
    const first = await cachedFn.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5_000));
    const again = await cachedFn.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5_000));
    expect(first.cached).toBeUndefined();
    expect(again).toEqual({ ...first, cached: true });
    expect(emulator.stats().requests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await cachedFn.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5_000))).cached).toBeUndefined();
    emulator.addFault({ fault: { type: "api-error", code: "ResourceUnavailable" }, times: 2 });
    const failing = { SdkAppId: APP, TaskId: "pacer-failing" };
    expect((await cachedFn.handler(failing, awsContext(300))).ok).toBe(false);
    const afterFailure = emulator.stats().requests;
    // The failure was not cached: the next caller asks TRTC (and, the fault used up, gets a status).
    const next = await cachedFn.handler(failing, awsContext(5_000));
    expect(next.ok && next.cached === undefined).toBe(true);
    expect(emulator.stats().requests).toBeGreaterThan(afterFailure);
    loadBundle({ TRTC_STATUS_CACHE_TTL_MS: undefined });
  });
});

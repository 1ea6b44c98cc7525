import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { DEMO_APP, DEMO_TASK, sdkClient, sleep } from "./helpers";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ quiet: true });
});
// resetStats also forgets the limiter's history, so every test starts from a quiet service.
beforeEach(() => emulator.resetStats());
afterAll(() => emulator.close());

/** Fires n DescribeStreamIngest calls at once; answers each call's error code, or "OK". */
async function burst(n: number, client = sdkClient(emulator)): Promise<string[]> {
  const calls = Array.from({ length: n }, () =>
    client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK }).then(
      () => "OK",
      (error: { code?: string }) => error.code ?? "no code",
    ),
  );
  return Promise.all(calls);
}

const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

describe("rate limit: 20 requests per second per action and account", () => {
  it("lets exactly 20 of 30 concurrent requests through and throttles the rest", async () => {
    const codes = await burst(30);
    expect(count(codes, "OK")).toBe(20);
    expect(count(codes, "RequestLimitExceeded")).toBe(10);
    const stats = emulator.stats();
    expect(stats.throttled).toBe(10);
    expect(stats.maxInAnyWindow).toBeLessThanOrEqual(20);
    expect(stats.requests).toBe(30);
  });

  it("recovers after a second, and throttled requests take no quota", async () => {
    expect(count(await burst(25), "OK")).toBe(20);
    await sleep(1100);
    expect(count(await burst(20), "OK")).toBe(20);
    expect(emulator.stats().maxInAnyWindow).toBe(20);
  });

  it("counts each action separately", async () => {
    const client = sdkClient(emulator);
    expect(count(await burst(20, client), "OK")).toBe(20);
    await expect(client.UpdateStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK })).resolves.toMatchObject({ Status: "InProgress" });
  });

  it("counts each account separately, and credentials of one account together", async () => {
    emulator.addCredential({ secretId: "AKIDOTHERACCOUNT00000000000000000001", secretKey: "k1", account: "200000000001" });
    emulator.addCredential({ secretId: "AKIDOTHERACCOUNT00000000000000000002", secretKey: "k2", account: "200000000001" });
    const [demo, firstKey, secondKey] = await Promise.all([
      burst(20),
      burst(15, sdkClient(emulator, { secretId: "AKIDOTHERACCOUNT00000000000000000001", secretKey: "k1" })),
      burst(15, sdkClient(emulator, { secretId: "AKIDOTHERACCOUNT00000000000000000002", secretKey: "k2" })),
    ]);
    expect(count(demo, "OK")).toBe(20);
    expect(count([...firstKey, ...secondKey], "OK")).toBe(20);
  });

  it("records requests per wall-clock second", async () => {
    await burst(3);
    await sleep(1100);
    await burst(2);
    const { perSecond } = emulator.stats();
    expect(perSecond.reduce((a, b) => a + b, 0)).toBe(5);
    expect(perSecond[0]).toBe(3);
    expect(perSecond.at(-1)).toBe(2);
  });
});

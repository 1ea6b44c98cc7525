/**
 * The fleet front door's own logic (lib/fleet/fleet.ts, lib/fleet/emf.ts) with a scripted TrtcApi and store: what is
 * cached and for how long, who shares whose answer, what a store fault or a late start does. The real store, SDK
 * and processes are in redis-fleet.test.ts and container-pacer.test.ts.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config";
import { Deadline } from "../../lib/deadline";
import { TrtcFunctionError } from "../../lib/errors";
import { fleetFields } from "../../lib/fleet/emf";
import { Fleet, LATE_START_MS } from "../../lib/fleet/fleet";
import type { CacheLookup, SharedStore } from "../../lib/fleet/store";
import type { TrtcApi } from "../../lib/trtc-client";

const config = { region: "ap-singapore" as const, attemptTimeoutMs: 1000, maxAttempts: 1 };
const task = { SdkAppId: 1400000001, TaskId: "unit-task" };
const invocation = (ms = 2000) => ({ requestId: "r", deadline: new Deadline(Date.now() + ms) });

function api(answer: () => Promise<{ status: string; requestId: string }>): TrtcApi & { calls: number } {
  const out = { calls: 0, callTimeoutMs: config.attemptTimeoutMs, describeStreamIngest: () => (out.calls++, answer()) };
  return out;
}
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

function store(overrides: Partial<SharedStore> = {}): SharedStore & { reserves: number } {
  const out: SharedStore & { reserves: number } = {
    reserves: 0,
    reserveStart: async (): Promise<number | undefined> => (out.reserves++, Date.now()),
    lookup: async (): Promise<CacheLookup | undefined> => ({ kind: "leader", token: "t" }),
    release: async () => undefined,
    recordEvent: async () => undefined,
    readRecord: async () => null,
    settleRecord: async () => undefined,
    close: async () => undefined,
    ...overrides,
  };
  return out;
}

describe("Fleet", () => {
  it("a fresh query (a relay's confirming request) skips the cache and a request already in flight, and shares one with other fresh ones", async () => {
    let n = 0;
    const trtc = api(() => later(30, { status: "NotExist", requestId: `req-${++n}` }));
    const fleet = new Fleet({ perSecond: 18, cacheTtlMs: 10_000, region: "ap-singapore" });
    const deps = { api: trtc, config };
    const first = await fleet.query(deps, task, invocation());
    expect((await fleet.query(deps, task, invocation())).result).toMatchObject({ cached: true, requestId: first.result.requestId });
    const [a, b] = await Promise.all([fleet.query(deps, task, invocation(), true), fleet.query(deps, task, invocation(), true)]);
    expect(trtc.calls).toBe(2);
    expect(a.result).not.toHaveProperty("cached");
    expect(a.result.requestId).not.toBe(first.result.requestId);
    expect(b.result).toEqual(a.result);
    // A request in flight that is not fresh (it may have been sent before the stop) is not followed.
    const other = { ...task, TaskId: "unit-other" };
    await Promise.all([fleet.query(deps, other, invocation()), fleet.query(deps, other, invocation(), true)]);
    expect(trtc.calls).toBe(4);
  });

  it("shares one request among identical queries in flight, and caches only answers, for the TTL", async () => {
    const trtc = api(() => later(30, { status: "InProgress", requestId: "req-1" }));
    const fleet = new Fleet({ perSecond: 18, cacheTtlMs: 80, region: "ap-singapore" });
    const [a, b] = await Promise.all([fleet.query({ api: trtc, config }, task, invocation()), fleet.query({ api: trtc, config }, task, invocation())]);
    expect(trtc.calls).toBe(1);
    expect(a.result).toMatchObject({ ok: true, requestId: "req-1" });
    expect(b.result).toEqual(a.result);
    const cached = await fleet.query({ api: trtc, config }, task, invocation());
    expect(cached.result).toMatchObject({ ok: true, cached: true, requestId: "req-1", checkedAt: a.result.ok ? a.result.checkedAt : "" });
    expect(cached.stats.cacheHits).toBe(1);
    await later(100, 0);
    await fleet.query({ api: trtc, config }, task, invocation());
    expect(trtc.calls).toBe(2);

    const failing = api(() => Promise.reject(new TrtcFunctionError("ResourceUnavailable", "down")));
    const other = { ...task, TaskId: "unit-failing" };
    expect((await fleet.query({ api: failing, config }, other, invocation())).result.ok).toBe(false);
    expect((await fleet.query({ api: failing, config }, other, invocation())).result.ok).toBe(false);
    expect(failing.calls).toBe(2);
  });

  it("a caller sharing a slower request still answers by its own deadline", async () => {
    const trtc = api(() => later(600, { status: "InProgress", requestId: "slow" }));
    const fleet = new Fleet({ perSecond: 18, cacheTtlMs: 0, region: "ap-singapore" });
    const leader = fleet.query({ api: trtc, config }, task, invocation(2000));
    const started = Date.now();
    const follower = await fleet.query({ api: trtc, config }, task, invocation(300));
    expect(Date.now() - started).toBeLessThan(300);
    expect(follower.result).toMatchObject({ ok: false, error: { code: "UpstreamTimeout" } });
    expect((await leader).result.ok).toBe(true);
  });

  it("falls back to its own pacer when the store does not answer, and says so", async () => {
    const trtc = api(async () => ({ status: "InProgress", requestId: "x" }));
    const fleet = new Fleet({ perSecond: 18, cacheTtlMs: 1000, region: "ap-singapore", store: store({ reserveStart: async () => undefined, lookup: async () => undefined }) });
    const { result, stats } = await fleet.query({ api: trtc, config }, task, invocation());
    expect(result.ok).toBe(true);
    expect(stats.redis).toBe("fallback");
  });

  it("takes a fresh start when it woke too late for the one reserved, and none past the latest start", async () => {
    let first = true;
    const late = store({
      reserveStart: async () => {
        late.reserves++;
        if (!first) return Date.now();
        first = false;
        return Date.now() - LATE_START_MS - 50; // already long past
      },
    });
    const fleet = new Fleet({ perSecond: 18, cacheTtlMs: 0, region: "ap-singapore", store: late });
    const stats = { attempts: 0, upstreamMs: 0 };
    expect(await fleet.acquire(Date.now() + 1000, stats)).toBe(true);
    expect(late.reserves).toBe(2);
    const full = new Fleet({ perSecond: 18, cacheTtlMs: 0, region: "ap-singapore", store: store({ reserveStart: async () => -1 }) });
    expect(await full.acquire(Date.now() + 1000, stats)).toBe(false);
  });

  it("reads another container's answer from the store as cached, and waits for one in flight", async () => {
    const trtc = api(async () => ({ status: "InProgress", requestId: "never" }));
    let lookups = 0;
    const shared = store({
      lookup: async () => {
        lookups++;
        if (lookups < 3) return { kind: "wait", ms: 500 };
        return { kind: "hit", entry: { status: "NotExist", requestId: "theirs", checkedAt: Date.now() - 200 }, ttlMs: 800 };
      },
    });
    const fleet = new Fleet({ perSecond: 18, cacheTtlMs: 1000, region: "ap-singapore", store: shared });
    const { result, stats } = await fleet.query({ api: trtc, config }, task, invocation());
    expect(trtc.calls).toBe(0);
    expect(result).toMatchObject({ ok: true, status: "NotExist", running: false, cached: true, requestId: "theirs" });
    expect(stats).toMatchObject({ cacheHits: 1, redis: "used", attempts: 0 });
  });
});

describe("log fields", () => {
  it("carry cached, the pacer's wait and Redis; on AWS an EMF directive with the four metrics", () => {
    const stats = { attempts: 2, upstreamMs: 40, throttled: 1, cacheHits: 0, pacerWaitMs: 55, redis: "used" as const };
    expect(fleetFields(stats, "scf", false, 1)).toEqual({ cached: false, pacerWaitMs: 55, redis: "used" });
    const aws = fleetFields(stats, "aws", true, 1234);
    expect(aws).toMatchObject({ cached: 0, UpstreamRequests: 2, Throttled: 1, CacheHits: 0, UpstreamLatency: 40 });
    const directive = (aws._aws as any).CloudWatchMetrics[0];
    expect((aws._aws as any).Timestamp).toBe(1234);
    // Every metric named in the directive is a number at the root of the line (the EMF specification's rule).
    for (const metric of directive.Metrics) expect(typeof aws[metric.Name]).toBe("number");
  });
});

describe("configuration", () => {
  it("reads the fleet's variables, defaults off, and never echoes a Redis URL", () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerSecond: 18, statusCacheTtlMs: 0, redis: undefined });
    expect(loadConfig({ TRTC_REDIS_URL: "rediss://user:p4ss-w0rd@cache.internal:6380/0", TRTC_REDIS_SCOPE: "1250000000" }).redis).toEqual({
      url: "rediss://user:p4ss-w0rd@cache.internal:6380/0",
      timeoutMs: 50,
      scope: "1250000000",
      cluster: false,
    });
    for (const env of [{ TRTC_REDIS_URL: "http://user:p4ss-w0rd@cache" }, { TRTC_REDIS_URL: "p4ss-w0rd" }, { TRTC_REDIS_URL: "redis://x", TRTC_REDIS_SCOPE: "a b" }, { TRTC_RATE_LIMIT_PER_SECOND: "0" }, { TRTC_STATUS_CACHE_TTL_MS: "-1" }]) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TrtcFunctionError);
      expect((error as TrtcFunctionError).code).toBe("InvalidConfiguration");
      expect((error as Error).message).not.toContain("p4ss-w0rd");
    }
  });
});

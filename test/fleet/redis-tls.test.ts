/**
 * The fleet over TLS (rediss://, an ACL user with a password): containers trust the server's private CA the way
 * Lambda and SCF functions do, through NODE_EXTRA_CA_CERTS, and share one budget, one cache and the callback record;
 * a certificate they do not trust is a Redis fault like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { APP, startTestEmulator } from "../support/emulator";
import { burstOnce, expectOneBudget, pollTogether, startFleet, stopAllFleets, type Container } from "../support/fleet";
import { startRedis, type TestRedis } from "../support/redis-server";
import { makeCertificates, type TestCertificates } from "../support/redis-tls";

const USER = "trtc-fleet";
const PASSWORD = "tls-redis-pass-Hq4w7Z";
const TTL_MS = 1000;

let emulator: RunningEmulator;
let certificates: TestCertificates;
let redis: TestRedis;
/** The same server's kind, with a certificate from a CA nobody trusts. */
let untrusted: TestRedis;
let env: Record<string, string | undefined>;
let fleet: Container[] = [];

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  certificates = makeCertificates();
  redis = await startRedis({ tls: certificates.trusted, user: USER, password: PASSWORD });
  untrusted = await startRedis({ tls: certificates.untrusted, user: USER, password: PASSWORD });
  expect(redis.url).toBe(`rediss://${USER}:${PASSWORD}@127.0.0.1:${redis.port}`);
  env = {
    ...started.env,
    LOG_LEVEL: "info",
    NODE_EXTRA_CA_CERTS: certificates.trusted.ca,
    TRTC_REDIS_URL: redis.url,
    TRTC_STATUS_CACHE_TTL_MS: String(TTL_MS),
    TRTC_RATE_LIMIT_PER_SECOND: undefined,
    TRTC_REDIS_TIMEOUT_MS: undefined,
  };
  fleet = await startFleet(60, env);
}, 60_000);
afterAll(async () => {
  await stopAllFleets();
  await redis?.stop();
  await untrusted?.stop();
  certificates?.remove();
  await emulator?.close();
});

const noSecrets = (c: Container) => {
  expect(c.output()).not.toContain(PASSWORD);
  expect(c.output()).not.toContain(encodeURIComponent(PASSWORD));
};

describe("60 containers over TLS, one budget", () => {
  it("a burst for 60 tasks: at most 63 requests, none throttled on a quiet machine", async () => {
    expectOneBudget(await burstOnce("TLS", fleet, emulator, APP), 63);
  });

  it("20 of them polling 10 tasks with a 1 s cache: about 10 requests per second, none throttled", async () => {
    const { answers, stats } = await pollTogether("TLS", fleet.slice(0, 20), emulator, APP);
    expect(answers.every((a) => a.result.ok === true)).toBe(true);
    expect(stats.throttled).toBe(0);
    expect(stats.requests).toBeLessThanOrEqual(10 * 4);
    for (const c of fleet) noSecrets(c);
  });

  it("a record written by one container's store is read by another's", async () => {
    const task = { sdkAppId: APP, taskId: "tls-record", region: "ap-singapore" };
    const final = { status: "NotExist", requestId: "req-tls", checkedAt: 3 };
    const written = await fleet[0]!.store([
      ["recordEvent", task, { type: 701, status: 0, at: 1 }, 60_000, 800],
      ["recordEvent", task, { type: 702, status: 0, at: 2 }, 60_000, 800],
      ["settleRecord", task, final, 60_000, 800],
    ]);
    expect(written).toEqual({ results: ["recorded", "recorded", null], faults: [] });
    const read = await fleet[1]!.store([
      ["recordEvent", task, { type: 702, status: 0, at: 2 }, 60_000, 800],
      ["readRecord", task, 800],
    ]);
    expect(read).toEqual({ results: ["duplicate", { events: [{ type: 701, status: 0, at: 1 }, { type: 702, status: 0, at: 2 }], final }], faults: [] });
  });
});

describe("a certificate the container does not trust", () => {
  async function answersWithout(url: string, extra: Record<string, string | undefined>, name: string) {
    const [c] = await startFleet(1, { ...env, TRTC_REDIS_URL: url, ...extra });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await c!.invoke({ SdkAppId: APP, TaskId: emulator.seedTask({ SdkAppId: APP, TaskId: `tls-${name}-${i}` }) }, 3000));
    const lines = c!.logLines();
    console.info(`${name}: slowest ${Math.max(...answers.map((a) => a.ms))} ms, faults ${JSON.stringify(lines.filter((l) => l.redisFault).map((l) => l.redisFault))}`);
    expect(answers.every((a) => a.result.ok === true && a.ms < 400)).toBe(true);
    expect(lines.filter((l) => l.redisFault).map((l) => l.redisFault)).toEqual(["tls"]);
    expect(lines.filter((l) => l.message === "DescribeStreamIngest").every((l) => l.redis === "fallback")).toBe(true);
    noSecrets(c!);
    // The records are not taken either: a callback would be answered 503, and delivered again.
    expect((await c!.store([["recordEvent", { sdkAppId: APP, taskId: "tls-x", region: "ap-singapore" }, { type: 701, status: 0, at: 1 }, 60_000, 300]])).results).toEqual([null]);
  }

  it("(signed by another CA) costs no answer, is said once as a TLS fault, and shows no password", async () => {
    await answersWithout(untrusted.url, {}, "untrusted-ca");
  });

  it("(the private CA not given to the container: no NODE_EXTRA_CA_CERTS) is the same fault", async () => {
    await answersWithout(redis.url, { NODE_EXTRA_CA_CERTS: undefined }, "no-extra-ca");
  });
});

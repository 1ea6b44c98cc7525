/**
 * The fleet on a Redis Cluster over TLS (the cluster bus too), with an ACL user: what ElastiCache Serverless and
 * ElastiCache/Valkey cluster mode with encryption in transit look like to a function. Nodes are reached at the
 * addresses the cluster announces, and each one's certificate is checked against NODE_EXTRA_CA_CERTS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { APP, startTestEmulator } from "../support/emulator";
import { burstOnce, expectOneBudget, startFleet, stopAllFleets, type Container } from "../support/fleet";
import { startRedisCluster, type TestCluster } from "../support/redis-cluster";
import { makeCertificates, type TestCertificates } from "../support/redis-tls";

const USER = "trtc-fleet";
const PASSWORD = "cluster-tls-pass-R3m8Xe";

let emulator: RunningEmulator;
let certificates: TestCertificates;
let cluster: TestCluster;
let env: Record<string, string | undefined>;
let fleet: Container[] = [];

beforeAll(async () => {
  const started = await startTestEmulator();
  emulator = started.emulator;
  certificates = makeCertificates();
  cluster = await startRedisCluster({ tls: certificates.trusted, user: USER, password: PASSWORD });
  env = {
    ...started.env,
    LOG_LEVEL: "info",
    NODE_EXTRA_CA_CERTS: certificates.trusted.ca,
    TRTC_REDIS_URL: cluster.url(),
    TRTC_REDIS_CLUSTER: "true",
    TRTC_STATUS_CACHE_TTL_MS: "1000",
    TRTC_RATE_LIMIT_PER_SECOND: undefined,
    TRTC_REDIS_TIMEOUT_MS: undefined,
  };
  // 20 containers: the 60-container burst runs on a plain cluster (redis-cluster.test.ts) and over TLS on one node
  // (redis-tls.test.ts); here the same budget through a TLS cluster, at a third of the suite's cost.
  fleet = await startFleet(20, env);
}, 60_000);
afterAll(async () => {
  await stopAllFleets();
  await cluster?.stop();
  certificates?.remove();
  await emulator?.close();
});

describe("20 containers on a TLS cluster", () => {
  it("a burst for 20 tasks: at most 21 requests, none throttled on a quiet machine", async () => {
    expectOneBudget(await burstOnce("TLS cluster", fleet, emulator, APP), 21);
  });

  it("a record written by one container's store is read by another's, and the password never shows", async () => {
    const task = { sdkAppId: APP, taskId: "ctls-record", region: "ap-singapore" };
    const final = { status: "NotExist", requestId: "req-ctls", checkedAt: 3 };
    expect(await fleet[0]!.store([["recordEvent", task, { type: 701, status: 0, at: 1 }, 60_000, 800], ["settleRecord", task, final, 60_000, 800]])).toEqual({ results: ["recorded", null], faults: [] });
    expect(await fleet[1]!.store([["readRecord", task, 800]])).toEqual({ results: [{ events: [{ type: 701, status: 0, at: 1 }], final }], faults: [] });
    for (const c of fleet) expect(c.output()).not.toContain(PASSWORD);
  });

  it("a container that does not trust the CA answers on its own budget, with one tls fault", async () => {
    const [c] = await startFleet(1, { ...env, NODE_EXTRA_CA_CERTS: undefined });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await c!.invoke({ SdkAppId: APP, TaskId: emulator.seedTask({ SdkAppId: APP, TaskId: `ctls-untrusted-${i}` }) }, 3000));
    expect(answers.every((a) => a.result.ok === true && a.ms < 400)).toBe(true);
    expect(c!.logLines().filter((l) => l.redisFault).map((l) => l.redisFault)).toEqual(["tls"]);
    expect(c!.output()).not.toContain(PASSWORD);
  });
});

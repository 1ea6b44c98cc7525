/**
 * A real Redis Cluster for a test file: `masters` redis-servers with `--cluster-enabled yes` on free loopback ports
 * (their cluster bus ports free too), joined by `redis-cli --cluster create … --cluster-replicas 0`. Slots of a
 * master that is killed stay unserved (no replicas) while the other masters keep serving theirs
 * (cluster-require-full-coverage no, as ElastiCache sets it). Optionally with a password (and ACL user) and TLS
 * (the cluster bus too), as ElastiCache Serverless runs.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Redis, { Cluster } from "ioredis";
import { freePort } from "../../scripts/lib/dev";
import { adminOptions, exited, serverArgs, serverUrl, waitForPort, type RedisServerOptions } from "./redis-server";

export interface ClusterNode {
  port: number;
  child: ChildProcess;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** The URL of one node (`urlNode`), as a container is given it with TRTC_REDIS_CLUSTER=true. */
  url(port?: number): string;
  /** A cluster client of the test's own. */
  admin(): Promise<Cluster>;
  /** The port of the master that holds `key` now. */
  masterOf(key: string): Promise<number>;
  kill(port: number): void;
  stop(): Promise<void>;
}

const run = promisify(execFile);

function cliArgs(options: RedisServerOptions): string[] {
  const args = ["--no-auth-warning"];
  if (options.user) args.push("--user", options.user);
  if (options.password) args.push("--pass", options.password);
  if (options.tls) args.push("--tls", "--cacert", options.tls.ca);
  return args;
}

async function launchNode(dir: string, options: RedisServerOptions): Promise<ClusterNode> {
  const [port, busPort] = [await freePort(), await freePort()];
  const nodeDir = mkdtempSync(join(dir, `node-${port}-`));
  const cluster = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", String(busPort), "--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no"];
  if (options.tls) cluster.push("--tls-cluster", "yes");
  const child = spawn("redis-server", [...serverArgs(port, nodeDir, options), ...cluster], { cwd: nodeDir, stdio: "ignore" });
  await waitForPort(port, 5000);
  return { port, child };
}

async function waitForState(nodes: ClusterNode[], options: RedisServerOptions): Promise<void> {
  const until = Date.now() + 15_000;
  for (const node of nodes) {
    for (;;) {
      const { stdout } = await run("redis-cli", [...cliArgs(options), "-p", String(node.port), "cluster", "info"]).catch(() => ({ stdout: "" }));
      if (stdout.includes("cluster_state:ok")) break;
      if (Date.now() > until) throw new Error(`cluster node ${node.port} not ok within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startRedisCluster(options: RedisServerOptions & { masters?: number } = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "trtc-cluster-"));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < (options.masters ?? 3); i++) nodes.push(await launchNode(dir, options));
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run("redis-cli", [...cliArgs(options), "--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
  await waitForState(nodes, options);
  let admin: Cluster | undefined;
  return {
    nodes,
    url: (port = nodes[0]!.port) => serverUrl(port, options),
    admin: async () => {
      if (!admin) {
        admin = new Cluster(
          nodes.map((n) => ({ host: "127.0.0.1", port: n.port })),
          { redisOptions: adminOptions(options), lazyConnect: true, slotsRefreshInterval: 0 },
        );
        admin.on("error", () => undefined);
        await admin.connect();
      }
      return admin;
    },
    masterOf: async (key) => {
      const node = new Redis({ port: nodes.find((n) => n.child.exitCode === null && n.child.signalCode === null)!.port, host: "127.0.0.1", ...adminOptions(options) });
      try {
        const slot = Number(await node.cluster("KEYSLOT", key));
        const ranges = await node.cluster("SLOTS");
        return ranges.find(([from, to]) => slot >= from && slot <= to)![2]![1];
      } finally {
        node.disconnect();
      }
    },
    kill: (port) => nodes.find((n) => n.port === port)?.child.kill("SIGKILL"),
    stop: async () => {
      admin?.disconnect();
      for (const n of nodes) n.child.kill("SIGKILL");
      await Promise.all(nodes.map((n) => exited(n.child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

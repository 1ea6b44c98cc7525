/**
 * The connection to the fleet's Redis, one node or a cluster (TRTC_REDIS_CLUSTER), with ioredis.
 *
 * Nothing waits for a connection: commands are refused at once while it is down (enableOfflineQueue: false, no
 * retries), and ioredis reconnects in the background (100 ms, 200 ms, … then once a second). `rediss://` verifies the
 * server's certificate against Node's CAs and NODE_EXTRA_CA_CERTS (no `ca` option: Node's defaults apply).
 *
 * On a cluster, ioredis follows MOVED/ASK redirections within the call, and learns a new master from them once the
 * one that went away is dropped. It does not wait and retry on its own (CLUSTERDOWN, TRYAGAIN, a closed node): such a
 * command fails at once and its caller uses its own budget, rather than leaving a retry timer behind it. No periodic
 * slot refresh either: a redirection triggers one, and no timer outlives an invocation.
 */
import Redis, { Cluster, type RedisOptions } from "ioredis";
import type { RedisSettings } from "../../config";
import type { StoreFault } from "../store";
import { faultKind } from "./faults";
import { defineScripts, type ScriptedClient } from "./scripts";
import { probeTls } from "./tls-probe";

/**
 * ioredis's own bound on one connection attempt. Generous: callers do not wait for it (their calls are bounded by
 * patience.ts), and a tight one fails attempts that were merely slow (60 containers starting on two cores).
 */
export const CONNECT_TIMEOUT_MS = 2000;
const reconnectDelay = (times: number) => Math.min(100 * times, 1000);

export interface Connection {
  client: ScriptedClient;
  /** Until the first connection attempt is over, settles when it is (either way); then undefined. */
  firstAttempt(): Promise<void> | undefined;
  /** What broke the connection last (a refused password, an untrusted certificate), until Redis answers again. */
  lastFault(): StoreFault | undefined;
  /** Redis answered a command: whatever broke the connection before is mended. */
  answered(): void;
  /** Drops the connection without a word to the server (which may not answer one); ioredis makes a new one. */
  replace(): void;
  close(): void;
}

/** The parts of the URL the client needs (the config checked its scheme and host). */
function target(url: string) {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || 0);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === "rediss:",
  };
}

type Target = ReturnType<typeof target>;

function createClient(settings: RedisSettings, { host, port, username, password, db, tls }: Target): Redis | Cluster {
  const node: RedisOptions = {
    username,
    password,
    tls: tls ? {} : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: false,
    disableClientInfo: true,
    connectionName: "trtc-stream-ingest-status",
    reconnectOnError: () => false,
  };
  if (!settings.cluster) return new Redis({ ...node, host, port, db, enableOfflineQueue: false, retryStrategy: reconnectDelay });
  // A cluster has database 0 only (SELECT is refused): the URL's database number is not used.
  return new Cluster([{ host, port }], {
    redisOptions: node,
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
    slotsRefreshInterval: 0,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 0,
    // With TLS, nodes are reached by the names they announce, so that their certificates match (ioredis's README,
    // "Special note: AWS ElastiCache Clusters with TLS").
    dnsLookup: tls ? (address, callback) => callback(null, address) : undefined,
  });
}

export interface ConnectionEvents {
  /** The server said something while connecting (the connection is up, or ready): it is alive. */
  progress: () => void;
  /** Ready again (or for the first time). */
  ready: () => void;
}

/** Connects the masters not connected yet; settles when each is ready or gone. */
function connectMasters(cluster: Cluster): Promise<void> {
  const settled = (node: Redis) =>
    new Promise<void>((resolve) => {
      if (node.status === "ready" || node.status === "end") return resolve();
      const done = () => {
        for (const event of ["ready", "close", "end"]) node.off(event, done);
        resolve();
      };
      for (const event of ["ready", "close", "end"]) node.on(event, done);
      if (node.status === "wait") node.connect().catch(() => undefined);
    });
  return Promise.all(cluster.nodes("master").map(settled)).then(() => undefined);
}

export function openConnection(settings: RedisSettings, events: ConnectionEvents): Connection {
  const to = target(settings.url);
  const client = createClient(settings, to);
  const cluster = client instanceof Cluster ? client : undefined;
  // Without a listener ioredis prints every connection error. What broke the connection is kept until Redis answers
  // again: a refused password closes it, and the commands that follow fail only with "stream isn't writeable", which
  // would send an operator to the network. (Not until "ready": ioredis may say ready on a connection whose password
  // was just refused.) A cluster that could reach no node says so in general; the node's own error says why.
  let fault: StoreFault | undefined;
  const remember = (error: unknown) => (fault = faultKind((error as { lastNodeError?: unknown }).lastNodeError ?? error));
  let probe: Promise<void> | undefined;
  const diagnose = () =>
    (probe ??= cluster && to.tls ? probeTls(to.host, to.port, CONNECT_TIMEOUT_MS).then((kind) => void (kind && (fault = kind))) : Promise.resolve());
  client.on("error", (error) => {
    remember(error);
    // A cluster says only that it reached no node (ClusterAllFailedError).
    if (cluster) void diagnose();
  });
  client.on("node error", remember);
  client.on("connect", events.progress);
  // On a cluster, ready once every master is connected too: while the container starts, rather than by the first
  // command sent to each (and a command sent to a node still connecting is refused, with no offline queue).
  const ready = () => (cluster ? connectMasters(cluster) : Promise.resolve());
  client.on("ready", () => {
    void ready().then(() => {
      events.progress();
      events.ready();
    });
  });
  const outcomes = ["ready", "error", "close", "end"] as const;
  let first: Promise<void> | undefined = new Promise<void>((resolve) => {
    const done = (event: string) => () => {
      for (const [name, listener] of listeners) client.off(name, listener);
      void (event === "ready" ? ready() : diagnose()).then(() => {
        first = undefined;
        resolve();
      });
    };
    const listeners = outcomes.map((event) => [event, done(event)] as const);
    for (const [name, listener] of listeners) client.on(name, listener);
  });
  return {
    client: defineScripts(client),
    firstAttempt: () => first,
    lastFault: () => fault,
    answered: () => (fault = undefined),
    replace: () => {
      // Destroyed, not ended: a FIN would go unanswered too, and ioredis reconnects only once the socket has closed.
      for (const node of cluster ? cluster.nodes() : [client as Redis]) node.stream?.destroy();
    },
    close: () => client.disconnect(),
  };
}

/**
 * A real redis-server for a test file: on a free loopback port, in a temporary directory, no persistence, stopped
 * (and its directory removed) by `stop()`. Faults for tests: `kill()` (SIGKILL), `pause()`/`resume()` (SIGSTOP /
 * SIGCONT) and `restart()` on the same port. `admin` is a client of the test's own, for CONFIG SET / CLIENT LIST.
 * With `tls`, it listens for TLS only (rediss://); with `user`, the password belongs to that ACL user and the default
 * user is off.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis, { type RedisOptions } from "ioredis";
import { freePort } from "../../scripts/lib/dev";
import { tlsArgs, type TlsFiles } from "./redis-tls";

export interface TestRedis {
  port: number;
  /** redis[s]://[[user]:password@]127.0.0.1:port */
  url: string;
  password: string | undefined;
  /** A connection of the test's own (re-made after restart()). */
  admin(): Promise<Redis>;
  kill(): void;
  pause(): void;
  resume(): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  password?: string;
  /** The ACL user the password belongs to (the default user is then off). */
  user?: string;
  tls?: TlsFiles;
  /** More redis-server arguments (e.g. ["--maxmemory", "1mb"], ["--replicaof", "127.0.0.1", "1"]). */
  args?: string[];
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The arguments common to every test server: loopback, no persistence, `options`' password, user and TLS. */
export function serverArgs(port: number, dir: string, options: RedisServerOptions): string[] {
  const args = ["--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"];
  args.push(...(options.tls ? tlsArgs(port, options.tls) : ["--port", String(port)]));
  if (options.user && options.password) args.push("--user", "default", "off", "--user", options.user, "on", `>${options.password}`, "~*", "&*", "+@all");
  else if (options.password) args.push("--requirepass", options.password);
  return [...args, ...(options.args ?? [])];
}

/** The URL a container is given for `port` with `options`' credentials and scheme. */
export function serverUrl(port: number, options: RedisServerOptions): string {
  const auth = options.password ? `${encodeURIComponent(options.user ?? "")}:${encodeURIComponent(options.password)}@` : "";
  return `${options.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}`;
}

/** ioredis options for the test's own connections (the CA given explicitly: this process has no NODE_EXTRA_CA_CERTS). */
export function adminOptions(options: RedisServerOptions): RedisOptions {
  return { username: options.user, password: options.password, tls: options.tls ? { ca: readFileSync(options.tls.ca) } : undefined, maxRetriesPerRequest: 1 };
}

export const exited = (proc: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
  });

export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "trtc-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let admin: Redis | undefined;

  const launch = async () => {
    child = spawn("redis-server", serverArgs(port, dir, options), { cwd: dir, stdio: "ignore" });
    await waitForPort(port, 5000);
  };
  const closeAdmin = () => {
    admin?.disconnect();
    admin = undefined;
  };

  await launch();
  return {
    port,
    password: options.password,
    url: serverUrl(port, options),
    admin: async () => {
      if (!admin) {
        admin = new Redis({ port, host: "127.0.0.1", lazyConnect: true, ...adminOptions(options) });
        admin.on("error", () => undefined);
        await admin.connect();
      }
      return admin;
    },
    kill: () => {
      closeAdmin();
      child?.kill("SIGKILL");
    },
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    restart: async () => {
      closeAdmin();
      const old = child;
      old?.kill("SIGKILL");
      await exited(old);
      await launch();
    },
    stop: async () => {
      closeAdmin();
      child?.kill("SIGCONT");
      child?.kill("SIGKILL");
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real redis-server for a test file: on a free loopback port, in a temporary directory, no persistence, stopped
 * (and its directory removed) by `stop()`. Faults for tests: `kill()` (SIGKILL), `pause()`/`resume()` (SIGSTOP /
 * SIGCONT) and `restart()` on the same port. `admin` is a client of the test's own, for CONFIG SET / CLIENT LIST.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { freePort } from "../../scripts/lib/dev";

export interface TestRedis {
  port: number;
  /** redis://[:password@]127.0.0.1:port */
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

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
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

/** `args`: more redis-server arguments (e.g. ["--maxmemory", "1mb"], ["--replicaof", "127.0.0.1", "1"]). */
export async function startRedis(options: { password?: string; args?: string[] } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "trtc-redis-"));
  const port = await freePort();
  const { password } = options;
  let child: ChildProcess | undefined;
  let admin: Redis | undefined;

  const launch = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"];
    if (password) args.push("--requirepass", password);
    args.push(...(options.args ?? []));
    child = spawn("redis-server", args, { cwd: dir, stdio: "ignore" });
    await waitForPort(port, 5000);
  };
  const closeAdmin = () => {
    admin?.disconnect();
    admin = undefined;
  };
  const exited = (proc: ChildProcess | undefined) =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
    });

  await launch();
  return {
    port,
    password,
    url: `redis://${password ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}`,
    admin: async () => {
      if (!admin) {
        admin = new Redis({ port, host: "127.0.0.1", password, lazyConnect: true, maxRetriesPerRequest: 1 });
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

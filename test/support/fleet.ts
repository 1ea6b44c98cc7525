/**
 * Many containers for fleet tests: each a child process (test/support/fleet-container.cjs) that loads the built
 * bundle with its own environment, as separate Lambda/SCF instances would. Their stdout and stderr are kept, so a
 * test can read the log lines and scan everything they wrote.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { BUNDLE } from "./bundle";

const CHILD = join(__dirname, "fleet-container.cjs");

export interface Answer {
  result: any;
  ms: number;
  at: number;
}

export interface Container {
  child: ChildProcess;
  invoke(event: unknown, remainingMs?: number): Promise<Answer>;
  poll(events: unknown[], options: { everyMs: number; forMs: number; remainingMs?: number }): Promise<Answer[]>;
  resources(): Promise<string[]>;
  /** The files this container's process has loaded (require.cache). */
  modules(): Promise<string[]>;
  /**
   * Runs store methods in turn ([method, ...args]; undefined answers come back as null) on a store of the
   * container's own, made from the artifact's fleet-redis.js with the container's environment (its CA too).
   */
  store(ops: unknown[][]): Promise<{ results: unknown[]; faults: string[] }>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines written to stdout so far. */
  logLines(): any[];
}

function spawnContainer(env: Record<string, string | undefined>): Promise<Container> {
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, FLEET_BUNDLE: BUNDLE, ...env })) {
    if (value !== undefined && !/^(VITEST|NODE_OPTIONS$)/.test(name)) childEnv[name] = value;
  }
  const child = fork(CHILD, [], { env: childEnv, stdio: ["ignore", "pipe", "pipe", "ipc"], execArgv: [] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const pending = new Map<number, (reply: any) => void>();
  let nextId = 0;
  const call = (message: object) =>
    new Promise<any>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, ...message }, (error) => error && reject(error));
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fleet container exited (${code}): ${stderr.slice(-2000)}`)));
    child.on("message", (message: any) => {
      if (message?.type === "ready") {
        resolve({
          child,
          invoke: (event, remainingMs = 10_000) => call({ type: "invoke", event, remainingMs }),
          poll: (events, { everyMs, forMs, remainingMs = 10_000 }) => call({ type: "poll", events, everyMs, forMs, remainingMs }).then((r) => r.results),
          resources: () => call({ type: "resources" }).then((r) => r.resources),
          modules: () => call({ type: "modules" }).then((r) => r.modules),
          store: (ops) => call({ type: "store", ops }).then((r) => ({ results: r.results, faults: r.faults })),
          output: () => stdout + stderr,
          logLines: () => stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line)),
        });
      } else if (typeof message?.id === "number") {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
}

/** Starts `count` containers, a few at a time (the machine has two cores), all with `env`. */
export async function startFleet(count: number, env: Record<string, string | undefined>, atOnce = 8): Promise<Container[]> {
  const out: Container[] = [];
  for (let i = 0; i < count; i += atOnce) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(atOnce, count - i) }, () => spawnContainer(env)))));
  }
  return out;
}

export async function stopFleet(containers: Container[]): Promise<void> {
  await Promise.all(
    containers.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill();
        }),
    ),
  );
}

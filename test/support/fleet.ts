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

/** What a fleet run cost upstream, and what its containers logged. */
export interface FleetRun {
  answers: Answer[];
  stats: { requests: number; throttled: number; perSecond: number[] };
  /** The containers' DescribeStreamIngest log lines. */
  lines: any[];
  /** The Redis faults the containers reported (each container says its first one). */
  faults: string[];
}

interface RunEmulator {
  seedTask(task: { SdkAppId: number; TaskId: string }): string;
  resetStats(): void;
  stats(): { requests: number; throttled: number; perSecond: number[] };
}

/** One task per container, all asked at once (a fleet's burst); logged as `name` with what it cost. */
export async function burstOnce(name: string, fleet: Container[], emulator: RunEmulator, sdkAppId: number): Promise<FleetRun> {
  const tasks = fleet.map((_, i) => emulator.seedTask({ SdkAppId: sdkAppId, TaskId: `${name.replace(/\W+/g, "-")}-burst-${i}` }));
  emulator.resetStats();
  const answers = await Promise.all(fleet.map((c, i) => c.invoke({ SdkAppId: sdkAppId, TaskId: tasks[i] }, 15_000)));
  const run = { answers, stats: emulator.stats(), ...fleetLogs(fleet) };
  const fallbacks = run.lines.filter((l) => l.redis === "fallback").length;
  console.info(
    `${name} burst: ${run.stats.requests} requests, ${run.stats.throttled} throttled, per second ${JSON.stringify(run.stats.perSecond)}, slowest ${Math.max(...answers.map((a) => a.ms))} ms, ${fallbacks} fallbacks ${JSON.stringify(run.faults)}`,
  );
  return run;
}

/** `pollers` containers each polling the same `taskCount` tasks (in a different order) every 50 ms for `forMs`. */
export async function pollTogether(name: string, pollers: Container[], emulator: RunEmulator, sdkAppId: number, taskCount = 10, forMs = 3000): Promise<FleetRun> {
  const events = Array.from({ length: taskCount }, (_, i) => ({ SdkAppId: sdkAppId, TaskId: emulator.seedTask({ SdkAppId: sdkAppId, TaskId: `${name.replace(/\W+/g, "-")}-poll-${i}` }) }));
  emulator.resetStats();
  const runs = await Promise.all(pollers.map((c, i) => c.poll([...events.slice(i % taskCount), ...events.slice(0, i % taskCount)], { everyMs: 50, forMs })));
  const answers = runs.flat();
  const run = { answers, stats: emulator.stats(), ...fleetLogs(pollers) };
  console.info(`${name} polling: ${answers.length} answers (${answers.filter((a) => a.result.cached).length} cached) from ${run.stats.requests} requests, per second ${JSON.stringify(run.stats.perSecond)}, ${run.stats.throttled} throttled`);
  return run;
}

function fleetLogs(fleet: Container[]): { lines: any[]; faults: string[] } {
  const all = fleet.flatMap((c) => c.logLines());
  return { lines: all.filter((l) => l.message === "DescribeStreamIngest"), faults: all.filter((l) => l.redisFault).map((l) => l.redisFault) };
}

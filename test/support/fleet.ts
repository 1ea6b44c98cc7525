/**
 * Many containers for fleet tests, as separate Lambda/SCF instances would be: each loads the built bundle on its
 * own, configured by its own copy of the fleet's environment, with its own module instances (pacer, cache, Redis
 * client), event loop, sockets and clock (FLEET_CLOCK_OFFSET_MS). What each writes to stdout and stderr is kept, so
 * a test can read its log lines and scan everything it wrote.
 *
 * A container is a worker thread (fleet-container.cjs) of a host process (fleet-host.cjs): a thread starts for about
 * 65 ms of CPU, most of it loading the bundle, where a process of its own took about 120 ms. The host is started
 * with the fleet's environment, because Node reads some of it only at process start (NODE_EXTRA_CA_CERTS): fleets
 * whose environments differ only in what the function and the container read themselves (CONTAINER_VARIABLES) share
 * a host; any other difference, such as a fleet without the CA, gets a host of its own.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";
import { BUNDLE } from "./bundle";

const HOST = join(__dirname, "fleet-host.cjs");
/** What the function (lib/config.ts, its logger) and fleet-container.cjs read from their own process.env. */
const CONTAINER_VARIABLES = /^(TRTC_|TENCENTCLOUD_|LOG_LEVEL$|FLEET_)/;

export interface Answer {
  result: any;
  ms: number;
  at: number;
}

export interface Container {
  invoke(event: unknown, remainingMs?: number): Promise<Answer>;
  poll(events: unknown[], options: { everyMs: number; forMs: number; remainingMs?: number }): Promise<Answer[]>;
  /** This container's active resources (its own event loop's: its sockets and timers). */
  resources(): Promise<string[]>;
  /** The files this container has loaded (its require.cache). */
  modules(): Promise<string[]>;
  /**
   * Runs store methods in turn ([method, ...args]; undefined answers come back as null) on a store of the
   * container's own, made from the artifact's fleet-redis.js with the container's environment (its CA too).
   */
  store(ops: unknown[][]): Promise<{ results: unknown[]; faults: string[] }>;
  /**
   * Ends the container at once, as a killed process ends: its thread is terminated wherever it is, its sockets
   * closed, nothing of it runs again. Resolves once it is gone.
   */
  kill(): Promise<void>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines written to stdout so far. */
  logLines(): any[];
}

interface Running {
  onMessage(message: any): void;
  onExit(error?: string): void;
}

/** One host process and the containers running in it (by number). */
class Host {
  private readonly child: ChildProcess;
  private readonly running = new Map<number, Running>();
  private next = 0;
  private readonly exited: Promise<void>;

  constructor(env: Record<string, string>) {
    this.child = fork(HOST, [], { env, stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
    this.child.on("message", (message: any) => {
      const container = this.running.get(message.c);
      if (message.type !== "exit") return container?.onMessage(message);
      this.running.delete(message.c);
      container?.onExit(message.error);
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", () => {
        for (const container of this.running.values()) container.onExit("its host process exited");
        this.running.clear();
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Ends the process, and every container still running in it as killed processes end. */
  stop(): Promise<void> {
    if (this.alive) this.child.kill();
    return this.exited;
  }

  /** A container with `env` as its process.env. */
  start(env: Record<string, string>): Promise<Container> {
    const c = this.next++;
    // A host that has ended answers nothing: what was pending is failed when it exits (see the constructor).
    const send = (message: object, onError: (error: Error) => void = () => undefined) => this.child.send({ c, ...message }, (error) => error && onError(error));
    let stdout = "";
    let stderr = "";
    const pending = new Map<number, { resolve(reply: any): void; reject(error: Error): void }>();
    let nextId = 0;
    const call = (message: object) =>
      new Promise<any>((resolve, reject) => {
        if (!this.running.has(c)) return reject(new Error("fleet container has ended"));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        send({ id, ...message }, reject);
      });
    let gone!: () => void;
    const dead = new Promise<void>((resolve) => (gone = resolve));
    return new Promise((resolve, reject) => {
      const container: Container = {
        invoke: (event, remainingMs = 10_000) => call({ type: "invoke", event, remainingMs }),
        poll: (events, { everyMs, forMs, remainingMs = 10_000 }) => call({ type: "poll", events, everyMs, forMs, remainingMs }).then((r) => r.results),
        resources: () => call({ type: "resources" }).then((r) => r.resources),
        modules: () => call({ type: "modules" }).then((r) => r.modules),
        store: (ops) => call({ type: "store", ops }).then((r) => ({ results: r.results, faults: r.faults })),
        kill: () => {
          if (this.running.has(c)) send({ type: "kill" });
          return dead;
        },
        output: () => stdout + stderr,
        logLines: () => stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line)),
      };
      this.running.set(c, {
        onMessage: (message) => {
          if (message.type === "output") {
            if (message.stream === "stderr") stderr += message.text;
            else stdout += message.text;
          } else if (message.type === "ready") resolve(container);
          else if (typeof message.id === "number") {
            pending.get(message.id)?.resolve(message);
            pending.delete(message.id);
          }
        },
        onExit: (error) => {
          const why = new Error(`fleet container exited${error ? ` (${error})` : ""}: ${(stdout + stderr).slice(-2000)}`);
          reject(why);
          for (const { reject: fail } of pending.values()) fail(why);
          pending.clear();
          gone();
        },
      });
      send({ type: "start", env }, reject);
    });
  }
}

/** The hosts of this test file by their environment (the variables that are not CONTAINER_VARIABLES). */
const hosts = new Map<string, Host>();

/**
 * Starts `count` containers, a few at a time (the machine has two cores), all with `env` (over this process's; an
 * undefined value unsets a variable), in the host process for that environment (started if there is none).
 */
export async function startFleet(count: number, env: Record<string, string | undefined>, atOnce = 8): Promise<Container[]> {
  const containerEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, FLEET_BUNDLE: BUNDLE, ...env })) {
    if (value !== undefined && !/^(VITEST|NODE_OPTIONS$)/.test(name)) containerEnv[name] = value;
  }
  const hostEnv = Object.fromEntries(Object.entries(containerEnv).filter(([name]) => !CONTAINER_VARIABLES.test(name)));
  const key = JSON.stringify(Object.entries(hostEnv).sort());
  let host = hosts.get(key);
  if (!host?.alive) hosts.set(key, (host = new Host(hostEnv)));
  const out: Container[] = [];
  for (let i = 0; i < count; i += atOnce) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(atOnce, count - i) }, () => host.start(containerEnv)));
    for (const started of batch) if (started.status === "fulfilled") out.push(started.value);
    const failed = batch.find((started) => started.status === "rejected");
    if (failed) {
      await stopFleet(out);
      throw failed.reason;
    }
  }
  return out;
}

/** Ends `containers`, as killed processes end (a container already ended is left as it is); their host stays. */
export async function stopFleet(containers: Container[]): Promise<void> {
  await Promise.all(containers.map((c) => c.kill()));
}

/**
 * Ends every host process this file started, and so every container still running (for afterAll: a host otherwise
 * lives until this process ends).
 */
export async function stopAllFleets(): Promise<void> {
  const all = [...hosts.values()];
  hosts.clear();
  await Promise.all(all.map((host) => host.stop()));
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

/**
 * A burst that shared the fleet's one budget on Redis: every answer ok and every container on Redis, at most
 * `maxRequests` upstream, and none throttled when the machine is not shared (npm run bench); the margin of 2 is for
 * other work on it.
 */
export function expectOneBudget({ answers, stats, lines }: FleetRun, maxRequests: number): void {
  expect(answers.every((a) => a.result.ok === true)).toBe(true);
  expect(stats.requests).toBeLessThanOrEqual(maxRequests);
  expect(stats.throttled).toBeLessThanOrEqual(2);
  expect(lines.every((l) => l.redis === "used")).toBe(true);
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

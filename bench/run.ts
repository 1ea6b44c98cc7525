/**
 * `npm run bench`: every performance figure, measured against the local TRTC emulator on loopback.
 *
 * Builds the bundle as `npm run build` does, compiles the child programs in bench/ with esbuild (so they run under
 * plain `node`, nothing of tsx loaded), starts the emulators in a process of their own (bench/emulator-host.ts),
 * then runs every figure `--rounds` times, alternating the measured program and its baseline. Each figure is a ratio against a baseline measured in
 * the same run. Prints a table of medians with the targets, then one JSON line with the same figures.
 *
 *   npm run bench [-- --rounds 3] [-- --quick] [-- --only cold,first,warm,memory,herd,batch,fleet,relays]
 *                 [-- --only fleet-cluster,fleet-tls]  the fleet's burst on a 3-master Redis Cluster, over TLS (opt-in)
 *                 [-- --bundle path/to/index.js]   measure another build of the function (A/B), skipping the build
 *                 [-- --write-docs]                 also put the report into docs/performance.md
 *
 * The relays figure (bench/relays.ts: 20 containers watching 50 relays end over a minute, with callbacks and
 * without) runs once whatever --rounds says: each of its three modes takes a minute of wall time.
 *
 * Progress goes to stderr; the table and the JSON line go to stdout.
 */
import { fork } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { BUNDLE_BUDGET_BYTES, BUNDLE_PATH, buildBundle, largestInputs } from "../build/build";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, type EmulatorStats, type SeedTask } from "../emulator";
import { startRedisCluster, type TestCluster } from "../test/support/redis-cluster";
import { startRedis, type TestRedis } from "../test/support/redis-server";
import { makeCertificates, type TestCertificates } from "../test/support/redis-tls";
import { RELAYS, relays, type RelayModeFigures, type RelaysEmulator, type RelaysFigures } from "./relays";

const ROOT = join(__dirname, "..");
const CHILD_DIR = join(ROOT, "dist", "bench");
const CHILDREN = ["cold-start", "first-answer", "warm", "memory", "rate-limit", "relay-container"] as const;
type ChildName = (typeof CHILDREN)[number];

const TARGETS = {
  bundleKB: 100,
  coldStartRatio: 1 / 20,
  firstAnswerRatio: 1.0,
  warmRatio: 1.1,
  warmConnections: 1,
  /** RSS growth 1,000 → 10,000 beyond the bare SDK loop's own growth over the same span (the noise). */
  memoryFlatMB: 1,
  memoryVsSdkMB: 10,
  batchSeconds: 1.3 * 5,
  herdProcesses: 60,
  herdSeconds: 10,
  herdRequestRatio: 2,
  /** Fleet on Redis (docs/fleet.md): 60 containers for 60 tasks, and 20 containers polling 10 tasks. */
  fleetProcesses: 60,
  fleetRequestRatio: 63 / 60,
  fleetSlowestRatio: 4.5 / 3,
  fleetPollers: 20,
  fleetPollTasks: 10,
  fleetPollTtlMs: 1000,
  fleetPollSeconds: 5,
  /** Requests per second at most, against the 10 needed (one per task per TTL). */
  fleetPollRequestRatio: 15 / 10,
} as const;

const { values: options } = parseArgs({
  options: {
    rounds: { type: "string" },
    quick: { type: "boolean" },
    only: { type: "string" },
    bundle: { type: "string" },
    "write-docs": { type: "boolean" },
  },
});
const bundlePath = options.bundle ? resolve(options.bundle) : BUNDLE_PATH;
const quick = options.quick ?? false;
const rounds = Number(options.rounds ?? (quick ? 1 : 3));
const only = options.only ? new Set(options.only.split(",")) : undefined;
const wanted = (figure: string) => !only || only.has(figure);
/** Figures run only when named in --only (they start servers of their own and take a while). */
const optedIn = (figure: string) => only?.has(figure) ?? false;
const SIZES = quick
  ? { cold: 2, first: 2, warmSamples: 500, warmup: 100, memory: 2000, memoryEvery: 500 }
  : { cold: 5, first: 3, warmSamples: 2000, warmup: 300, memory: 10_000, memoryEvery: 1000 };

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Statistics

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
const signed = (value: number, digits = 2) => `${value >= 0 ? "+" : ""}${value.toFixed(digits)}`;

// ---------------------------------------------------------------------------------------------------------------
// Child processes

/** The environment every child starts from: this one without anything that configures the function or Node. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(TRTC_|TENCENTCLOUD_|CORS_|LOG_LEVEL$|NODE_OPTIONS$|AWS_|BENCH_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, TENCENTCLOUD_SECRET_ID: DEMO_SECRET_ID, TENCENTCLOUD_SECRET_KEY: DEMO_SECRET_KEY, BENCH_BUNDLE: bundlePath };
}

interface ChildOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  onMessage?: (message: any, child: ReturnType<typeof fork>) => void;
  timeoutMs?: number;
}

interface ChildRun<T> {
  result: T;
  /** Lines the child wrote to stdout (the function's log lines). */
  stdoutLines: number;
  /** Log lines that say Redis did not answer and the container's own pacer and cache took over. */
  redisFallbacks: number;
}

const FALLBACK_MARK = Buffer.from('"redis":"fallback"');

function spawnChild<T>(name: ChildName, args: string[], opts: ChildOptions = {}): { child: ReturnType<typeof fork>; done: Promise<ChildRun<T>> } {
  const child = fork(join(CHILD_DIR, `${name}.js`), args, {
    cwd: ROOT,
    execArgv: opts.execArgv ?? [],
    env: { ...baseEnv(), ...opts.env },
    // stdout is a pipe, drained here, as the platforms' log pipes are; stderr is kept for failures.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stdoutLines = 0;
  let redisFallbacks = 0;
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    // Counted with indexOf (native), not a byte loop: the drain shares the two cores with what is measured.
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) stdoutLines++;
    for (let at = chunk.indexOf(FALLBACK_MARK); at !== -1; at = chunk.indexOf(FALLBACK_MARK, at + 1)) redisFallbacks++;
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const done = new Promise<ChildRun<T>>((resolve, reject) => {
    let result: { value: T } | undefined;
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = `timed out after ${opts.timeoutMs} ms`;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 120_000);
    child.on("message", (message: any) => {
      if (message?.type === "result") result = { value: message.result as T };
      else if (message?.type === "error") error = message.message;
      else opts.onMessage?.(message, child);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      // Let the last stdout chunks arrive before counting.
      setImmediate(() => {
        if (result && !error) resolve({ result: result.value, stdoutLines, redisFallbacks });
        else reject(new Error(`bench child ${name} ${args.join(" ")} failed (exit ${code ?? signal}): ${error ?? "no result"}\n${stderr}`));
      });
    });
  });
  return { child, done };
}

/** For the fast emulators (no rate limit): the function's pacer set to its maximum. */
const NO_RATE_LIMIT = "1000000";

const runChild = <T>(name: ChildName, args: string[], opts: ChildOptions = {}) => spawnChild<T>(name, args, opts).done;

async function compileChildren(): Promise<void> {
  mkdirSync(CHILD_DIR, { recursive: true });
  await build({
    entryPoints: CHILDREN.map((name) => join(__dirname, `${name}.ts`)),
    outdir: CHILD_DIR,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // The SDK stays a run-time require from node_modules: that is what the baselines measure.
    packages: "external",
    logLevel: "warning",
  });
}

/** One emulator in bench/emulator-host.ts, driven over IPC. */
interface RemoteEmulator {
  url: string;
  stats(): Promise<Omit<EmulatorStats, "log">>;
  resetStats(): Promise<void>;
  seedTasks(tasks: SeedTask[]): Promise<string[]>;
}

async function startEmulatorHost(): Promise<{ emulators: Record<"fast" | "fastBaseline" | "limited", RemoteEmulator> & { relays: RelaysEmulator }; close: () => Promise<void> }> {
  const host = fork(join(__dirname, "emulator-host.ts"), [], { cwd: ROOT, execArgv: ["--import", "tsx"], env: baseEnv(), stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map<number, (reply: any) => void>();
  let nextId = 0;
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    host.once("exit", (code) => reject(new Error(`emulator host exited (${code})`)));
    host.on("message", (message: any) => {
      if (message?.type === "listening") resolve(message.urls);
      else if (typeof message?.id === "number") {
        pending.get(message.id)?.(message.reply);
        pending.delete(message.id);
      }
    });
  });
  const call = (command: string, emulator: string, extra: object = {}) =>
    new Promise<any>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      host.send({ id, command, emulator, ...extra });
    });
  const remote = (name: string): RemoteEmulator => ({
    url: urls[name]!,
    stats: () => call("stats", name),
    resetStats: () => call("reset", name),
    seedTasks: (tasks) => call("seed", name, { tasks }),
  });
  const relaysEmulator: RelaysEmulator = {
    ...remote("relays"),
    seedTimed: (tasks) => call("seedTimed", "relays", { tasks }),
    configureCallbacks: (callbacks) => call("callbacks", "relays", { callbacks }),
    callbackLog: () => call("callbackLog", "relays"),
    callbacksIdle: () => call("callbacksIdle", "relays"),
    requestLog: () => call("requestLog", "relays"),
  };
  return {
    emulators: { fast: remote("fast"), fastBaseline: remote("fastBaseline"), limited: remote("limited"), relays: relaysEmulator },
    close: async () => {
      await Promise.race([call("close", "fast"), new Promise((resolve) => setTimeout(resolve, 3000))]);
      host.kill();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

interface Figures {
  bundle?: { bytes: number; kb: number; largestInputs: Array<{ path: string; kb: number }> };
  coldStart?: { bundleMs: number; sdkMs: number; ratio: number; samples: number; withRedisMs: number; withRedisRatio: number };
  firstAnswer?: { bundleMs: number; sdkMs: number; ratio: number; sdkDeepMs: number; ratioDeep: number; samples: number };
  warm?: { bundleMs: number; sdkMs: number; ratio: number; bundleP90Ms: number; sdkP90Ms: number; connections: number; invocations: number; logLines: number; runs: number };
  memory?: {
    fromInvocation: number;
    bundleRssAt1kMB: number;
    bundleRssAt10kMB: number;
    growthMB: number;
    oldSpaceGrowthMB: number;
    /** Pages V8 holds for old space (what RSS sees), which grows when short-lived objects are promoted. */
    oldSpaceCommittedGrowthMB: number;
    codeSpaceGrowthMB: number;
    sdkRssAt10kMB: number;
    sdkGrowthMB: number;
    vsSdkMB: number;
    invocations: number;
    runs: number;
  };
  batch?:
    | { pending: true; reason: string }
    | { pending?: false; tasks: number; seconds: number; worstSeconds: number; ratio: number; throttlingErrors: number; answered: number; otherErrors: number; upstreamRequests: number; throttledUpstream: number; runs: number };
  fleet?: {
    burstRequests: number;
    burstRequestRatio: number;
    burstThrottled: number;
    burstAnswered: number;
    burstSlowestSeconds: number;
    idealSlowestSeconds: number;
    burstSlowestRatio: number;
    pollAnswers: number;
    pollFailed: number;
    pollRequests: number;
    pollRequestRatio: number;
    pollMaxPerSecond: number;
    pollThrottled: number;
    pollCachedP99Ms: number;
    pollCachedShare: number;
    /** Invocations (burst + polling, worst round) whose log line says Redis did not answer in time. */
    redisFallbacks: number;
    runs: number;
  };
  /** The burst alone on other Redis set-ups, per round. */
  fleetVariants?: Record<string, Array<{ requests: number; throttled: number; answered: number; slowestMs: number; fallbacks: number }>>;
  herd?: {
    processes: number;
    answeredWithStatus: number;
    worstAnsweredWithStatus: number;
    maxSeconds: number;
    worstMaxSeconds: number;
    p50Seconds: number;
    upstreamRequests: number;
    worstUpstreamRequests: number;
    throttledUpstream: number;
    requestRatio: number;
    worstRequestRatio: number;
    spawnSeconds: number;
    runs: number;
  };
  relays?: RelaysFigures;
}

async function bundleSize(figures: Figures): Promise<void> {
  progress("building the bundle");
  const meta = await buildBundle();
  const output = meta.outputs[relative(ROOT, BUNDLE_PATH)] ?? Object.values(meta.outputs)[0]!;
  figures.bundle = {
    bytes: output.bytes,
    kb: round(output.bytes / 1024, 1),
    largestInputs: largestInputs(meta, 8).map(({ path, bytes }) => ({ path, kb: round(bytes / 1024, 1) })),
  };
}

async function coldStart(figures: Figures, samples: { bundle: number[]; sdk: number[]; "bundle-redis": number[] }): Promise<void> {
  for (let i = 0; i < SIZES.cold; i++) {
    const order = i % 2 === 0 ? (["bundle", "sdk", "bundle-redis"] as const) : (["bundle-redis", "sdk", "bundle"] as const);
    for (const mode of order) {
      // With Redis configured (a closed port: what is measured is loading, not connecting).
      const env = mode === "bundle-redis" ? { TRTC_REDIS_URL: "redis://127.0.0.1:9" } : undefined;
      const { result } = await runChild<{ loadMs: number }>("cold-start", [mode], { env });
      samples[mode].push(result.loadMs);
    }
  }
  const bundleMs = median(samples.bundle);
  const sdkMs = median(samples.sdk);
  const redisMs = median(samples["bundle-redis"]);
  figures.coldStart = { bundleMs: round(bundleMs), sdkMs: round(sdkMs), ratio: round(bundleMs / sdkMs, 4), samples: samples.bundle.length, withRedisMs: round(redisMs), withRedisRatio: round(redisMs / sdkMs, 4) };
}

async function firstAnswer(figures: Figures, emulator: RemoteEmulator, samples: Record<"bundle" | "sdk" | "sdk-deep", number[]>): Promise<void> {
  const modes = ["bundle", "sdk", "sdk-deep"] as const;
  for (let i = 0; i < SIZES.first; i++) {
    for (let j = 0; j < modes.length; j++) {
      const mode = modes[(i + j) % modes.length]!;
      const { result } = await runChild<{ totalMs: number }>("first-answer", [mode], { env: { TRTC_ENDPOINT_URL: emulator.url, LOG_LEVEL: "info" } });
      samples[mode].push(result.totalMs);
    }
  }
  const bundleMs = median(samples.bundle);
  const sdkMs = median(samples.sdk);
  const sdkDeepMs = median(samples["sdk-deep"]);
  figures.firstAnswer = {
    bundleMs: round(bundleMs),
    sdkMs: round(sdkMs),
    ratio: round(bundleMs / sdkMs, 3),
    sdkDeepMs: round(sdkDeepMs),
    ratioDeep: round(bundleMs / sdkDeepMs, 3),
    samples: samples.bundle.length,
  };
}

interface WarmResult {
  invocations: number;
  bundle: { median: number; p90: number };
  sdk: { median: number; p90: number };
}

async function warm(figures: Figures, bundleEmulator: RemoteEmulator, sdkEmulator: RemoteEmulator, runs: Array<WarmResult & { connections: number; logLines: number }>): Promise<void> {
  await bundleEmulator.resetStats();
  await sdkEmulator.resetStats();
  const { result, stdoutLines } = await runChild<WarmResult>("warm", [], {
    env: {
      TRTC_ENDPOINT_URL: bundleEmulator.url,
      BENCH_SDK_URL: sdkEmulator.url,
      BENCH_SAMPLES: String(SIZES.warmSamples),
      BENCH_WARMUP: String(SIZES.warmup),
      LOG_LEVEL: "info",
      // The fast emulator has no rate limit, and the function is told so: the pacer's bookkeeping is measured, not
      // waits that TRTC's limit would impose on a container asking 18+ times a second.
      TRTC_RATE_LIMIT_PER_SECOND: NO_RATE_LIMIT,
    },
  });
  const connections = (await bundleEmulator.stats()).connections;
  runs.push({ ...result, connections, logLines: stdoutLines });
  const bundleMs = median(runs.map((r) => r.bundle.median));
  const sdkMs = median(runs.map((r) => r.sdk.median));
  figures.warm = {
    bundleMs: round(bundleMs, 3),
    sdkMs: round(sdkMs, 3),
    ratio: round(median(runs.map((r) => r.bundle.median / r.sdk.median)), 3),
    bundleP90Ms: round(median(runs.map((r) => r.bundle.p90)), 3),
    sdkP90Ms: round(median(runs.map((r) => r.sdk.p90)), 3),
    connections: Math.max(...runs.map((r) => r.connections)),
    invocations: result.invocations,
    logLines: Math.min(...runs.map((r) => r.logLines)),
    runs: runs.length,
  };
}

interface MemorySamples {
  samples: Array<{ at: number; rssMB: number; heapUsedMB: number; oldSpaceMB: number; oldSpaceCommittedMB: number; codeSpaceMB: number }>;
}

/**
 * V8 grows the young generation on its own schedule (its semi-spaces double, 8 → 16 → 32 MB of RSS, when a program
 * allocates quickly), which reads as RSS growth without anything being retained. Both loops run with it pinned,
 * as Lambda's bootstrap bounds it by the function's memory (--max-semi-space-size = memory / 20 MB: 6–12 MB for
 * 128–256 MB functions).
 */
const MEMORY_NODE_FLAGS = ["--expose-gc", "--min-semi-space-size=8", "--max-semi-space-size=8"];

async function memory(figures: Figures, emulator: RemoteEmulator, runs: { bundle: MemorySamples[]; sdk: MemorySamples[] }, roundIndex: number): Promise<void> {
  const order = roundIndex % 2 === 0 ? (["bundle", "sdk"] as const) : (["sdk", "bundle"] as const);
  for (const mode of order) {
    const { result } = await runChild<MemorySamples>("memory", [mode], {
      execArgv: MEMORY_NODE_FLAGS,
      env: { TRTC_ENDPOINT_URL: emulator.url, BENCH_INVOCATIONS: String(SIZES.memory), BENCH_SAMPLE_EVERY: String(SIZES.memoryEvery), LOG_LEVEL: "info", TRTC_RATE_LIMIT_PER_SECOND: NO_RATE_LIMIT },
      timeoutMs: 180_000,
    });
    runs[mode].push(result);
  }
  const first = (m: MemorySamples) => m.samples[0]!;
  const last = (m: MemorySamples) => m.samples[m.samples.length - 1]!;
  const bundleRssAt1k = median(runs.bundle.map((m) => first(m).rssMB));
  const bundleRssAt10k = median(runs.bundle.map((m) => last(m).rssMB));
  const sdkRssAt10k = median(runs.sdk.map((m) => last(m).rssMB));
  figures.memory = {
    fromInvocation: first(runs.bundle[0]!).at,
    bundleRssAt1kMB: round(bundleRssAt1k, 1),
    bundleRssAt10kMB: round(bundleRssAt10k, 1),
    growthMB: round(median(runs.bundle.map((m) => last(m).rssMB - first(m).rssMB)), 2),
    oldSpaceGrowthMB: round(median(runs.bundle.map((m) => last(m).oldSpaceMB - first(m).oldSpaceMB)), 2),
    oldSpaceCommittedGrowthMB: round(median(runs.bundle.map((m) => last(m).oldSpaceCommittedMB - first(m).oldSpaceCommittedMB)), 2),
    codeSpaceGrowthMB: round(median(runs.bundle.map((m) => last(m).codeSpaceMB - first(m).codeSpaceMB)), 2),
    sdkRssAt10kMB: round(sdkRssAt10k, 1),
    sdkGrowthMB: round(median(runs.sdk.map((m) => last(m).rssMB - first(m).rssMB)), 2),
    vsSdkMB: round(bundleRssAt10k - sdkRssAt10k, 1),
    invocations: last(runs.bundle[0]!).at,
    runs: runs.bundle.length,
  };
}

interface BatchResult {
  elapsedMs: number;
  supported: boolean;
  topLevelError: string | null;
  results: number;
  answered: number;
  throttlingErrors: number;
  otherErrors: number;
}

const BATCH_SIZE = 100;

async function batch(figures: Figures, emulator: RemoteEmulator, runs: Array<BatchResult & { requests: number; throttled: number }>): Promise<void> {
  const taskIds = await emulator.seedTasks(Array.from({ length: BATCH_SIZE }, (_, i) => ({ SdkAppId: 1400000002, TaskId: `bench-batch-task-${String(i).padStart(3, "0")}` })));
  await emulator.resetStats();
  const { result } = await runChild<BatchResult>("rate-limit", ["batch"], {
    env: { TRTC_ENDPOINT_URL: emulator.url, BENCH_TASK_IDS: JSON.stringify(taskIds), BENCH_SDK_APP_ID: "1400000002", BENCH_REMAINING_MS: "15000", LOG_LEVEL: "info" },
  });
  if (!result.supported) {
    figures.batch = { pending: true, reason: `the bundle does not answer batch queries yet (top-level ${result.topLevelError ?? "answer without results"})` };
    return;
  }
  const stats = await emulator.stats();
  runs.push({ ...result, requests: stats.requests, throttled: stats.throttled });
  const seconds = median(runs.map((r) => r.elapsedMs / 1000));
  figures.batch = {
    tasks: BATCH_SIZE,
    seconds: round(seconds),
    worstSeconds: round(Math.max(...runs.map((r) => r.elapsedMs / 1000))),
    ratio: round(seconds / 5, 3),
    throttlingErrors: Math.max(...runs.map((r) => r.throttlingErrors)),
    answered: Math.min(...runs.map((r) => r.answered)),
    otherErrors: Math.max(...runs.map((r) => r.otherErrors)),
    upstreamRequests: median(runs.map((r) => r.requests)),
    throttledUpstream: median(runs.map((r) => r.throttled)),
    runs: runs.length,
  };
}

interface HerdChildResult {
  startedAt: number;
  answeredAt: number;
  ok: boolean;
  status: string | null;
  code: string | null;
}

interface HerdRun {
  answeredWithStatus: number;
  maxSeconds: number;
  p50Seconds: number;
  requests: number;
  throttled: number;
  spawnSeconds: number;
  codes: Record<string, number>;
}

async function herd(figures: Figures, emulator: RemoteEmulator, runs: HerdRun[]): Promise<void> {
  const count = TARGETS.herdProcesses;
  const spawnStart = Date.now();
  let ready = 0;
  let release!: () => void;
  const allReady = new Promise<void>((resolve) => (release = resolve));
  const children = Array.from({ length: count }, () =>
    spawnChild<HerdChildResult>("rate-limit", ["one"], {
      env: { TRTC_ENDPOINT_URL: emulator.url, LOG_LEVEL: "info" },
      onMessage: (message) => {
        if (message?.type === "ready" && ++ready === count) release();
      },
      timeoutMs: 90_000,
    }),
  );
  await allReady;
  const spawnSeconds = (Date.now() - spawnStart) / 1000;
  // Every container is loaded and waiting: the invocations arrive together.
  await emulator.resetStats();
  const goAt = Date.now();
  for (const { child } of children) child.send({ type: "go" });
  const results = await Promise.all(children.map((c) => c.done.then((r) => r.result)));
  const stats = await emulator.stats();
  const latencies = results.map((r) => (r.answeredAt - goAt) / 1000);
  const codes: Record<string, number> = {};
  for (const r of results) {
    const key = r.ok ? `status:${r.status}` : (r.code ?? "unknown");
    codes[key] = (codes[key] ?? 0) + 1;
  }
  const withStatus = results.filter((r, i) => r.ok && typeof r.status === "string" && latencies[i]! <= TARGETS.herdSeconds).length;
  runs.push({
    answeredWithStatus: withStatus,
    maxSeconds: Math.max(...latencies),
    p50Seconds: median(latencies),
    requests: stats.requests,
    throttled: stats.throttled,
    spawnSeconds,
    codes,
  });
  figures.herd = {
    processes: count,
    answeredWithStatus: median(runs.map((r) => r.answeredWithStatus)),
    worstAnsweredWithStatus: Math.min(...runs.map((r) => r.answeredWithStatus)),
    maxSeconds: round(median(runs.map((r) => r.maxSeconds))),
    worstMaxSeconds: round(Math.max(...runs.map((r) => r.maxSeconds))),
    p50Seconds: round(median(runs.map((r) => r.p50Seconds))),
    upstreamRequests: median(runs.map((r) => r.requests)),
    worstUpstreamRequests: Math.max(...runs.map((r) => r.requests)),
    throttledUpstream: median(runs.map((r) => r.throttled)),
    requestRatio: round(median(runs.map((r) => r.requests)) / count, 3),
    worstRequestRatio: round(Math.max(...runs.map((r) => r.requests)) / count, 3),
    spawnSeconds: round(median(runs.map((r) => r.spawnSeconds)), 1),
    runs: runs.length,
  };
  progress(`  herd: ${withStatus}/${count} with a status ≤ ${TARGETS.herdSeconds}s, max ${round(Math.max(...latencies))} s, ${stats.requests} upstream requests (${stats.throttled} throttled) ${JSON.stringify(codes)}`);
}

interface FleetRun {
  burst: { requests: number; throttled: number; answered: number; slowestMs: number; idealMs: number; fallbacks: number };
  poll: { answers: number; failed: number; requests: number; maxPerSecond: number; throttled: number; cachedP99Ms: number; cachedShare: number; seconds: number; fallbacks: number };
}

/** Spawns `count` children of rate-limit.ts in `mode`, waits until all are loaded, sends "go" to all at once. */
async function together<T>(count: number, mode: string, env: (i: number) => Record<string, string>, emulator: RemoteEmulator): Promise<{ results: T[]; goAt: number; fallbacks: number }> {
  let ready = 0;
  let release!: () => void;
  const allReady = new Promise<void>((resolve) => (release = resolve));
  const children = Array.from({ length: count }, (_, i) =>
    spawnChild<T>("rate-limit", [mode], {
      env: env(i),
      onMessage: (message) => {
        if (message?.type === "ready" && ++ready === count) release();
      },
      timeoutMs: 90_000,
    }),
  );
  await allReady;
  await emulator.resetStats();
  const goAt = Date.now();
  for (const { child } of children) child.send({ type: "go" });
  const runs = await Promise.all(children.map((c) => c.done));
  return { results: runs.map((r) => r.result), goAt, fallbacks: runs.reduce((sum, r) => sum + r.redisFallbacks, 0) };
}

/** 60 containers at once, one task each, every setting at its default but the Redis ones in `redisEnv`. */
async function fleetBurst(emulator: RemoteEmulator, redisEnv: Record<string, string>, prefix: string) {
  const count = TARGETS.fleetProcesses;
  const ids = await emulator.seedTasks(Array.from({ length: count }, (_, i) => ({ SdkAppId: 1400000001, TaskId: `${prefix}-${i}` })));
  const burst = await together<HerdChildResult>(count, "one", (i) => ({ TRTC_ENDPOINT_URL: emulator.url, LOG_LEVEL: "info", ...redisEnv, BENCH_TASK_ID: ids[i]! }), emulator);
  const stats = await emulator.stats();
  return { stats, burst, slowestMs: Math.max(...burst.results.map((r) => r.answeredAt - burst.goAt)) };
}

/** The burst alone on a Redis Cluster (`cluster`) or over TLS with a private CA trusted through NODE_EXTRA_CA_CERTS. */
async function fleetVariant(figures: Figures, emulator: RemoteEmulator, name: string, redisEnv: Record<string, string>): Promise<void> {
  const runs = ((figures.fleetVariants ??= {})[name] ??= []);
  const { stats, burst, slowestMs } = await fleetBurst(emulator, redisEnv, `bench-${name}-${runs.length}`);
  runs.push({ requests: stats.requests, throttled: stats.throttled, answered: burst.results.filter((r) => r.ok).length, slowestMs, fallbacks: burst.fallbacks });
  progress(`  ${name} burst: ${runs.at(-1)!.answered}/${TARGETS.fleetProcesses} answered, ${stats.requests} requests (${stats.throttled} throttled), slowest ${round(slowestMs / 1000)} s, ${burst.fallbacks} Redis fallbacks`);
}

/**
 * The fleet on a redis-server of its own: (1) the limit's physical bound, the bare SDK at exactly 20 per second
 * for 60 requests; (2) 60 containers, one task each, at once, with every setting at its default; (3) 20 containers
 * polling 10 tasks with a 1 s cache.
 */
async function fleet(figures: Figures, emulator: RemoteEmulator, redis: TestRedis, runs: FleetRun[]): Promise<void> {
  const count = TARGETS.fleetProcesses;
  const fleetEnv = { TRTC_ENDPOINT_URL: emulator.url, LOG_LEVEL: "info", TRTC_REDIS_URL: redis.url, TRTC_STATUS_CACHE_TTL_MS: String(TARGETS.fleetPollTtlMs) };
  const roundIndex = runs.length;

  const ideal = await together<{ slowestMs: number; failed: number }>(1, "ideal", () => ({ TRTC_ENDPOINT_URL: emulator.url, BENCH_REQUESTS: String(count) }), emulator);
  const idealMs = ideal.results[0]!.slowestMs;

  const { stats: burstStats, burst, slowestMs } = await fleetBurst(emulator, { TRTC_REDIS_URL: redis.url }, `bench-fleet-${roundIndex}`);

  const pollIds = await emulator.seedTasks(Array.from({ length: TARGETS.fleetPollTasks }, (_, i) => ({ SdkAppId: 1400000001, TaskId: `bench-fleet-poll-${roundIndex}-${i}` })));
  const pollMs = TARGETS.fleetPollSeconds * 1000;
  const poll = await together<{ answers: Array<{ ms: number; ok: boolean; cached: boolean }> }>(
    TARGETS.fleetPollers,
    "poll",
    (i) => ({ ...fleetEnv, BENCH_TASK_IDS: JSON.stringify(pollIds), BENCH_POLL_EVERY_MS: "50", BENCH_POLL_MS: String(pollMs), BENCH_OFFSET: String(i) }),
    emulator,
  );
  const pollStats = await emulator.stats();
  const answers = poll.results.flatMap((r) => r.answers);
  const cached = answers.filter((a) => a.cached).map((a) => a.ms).sort((a, b) => a - b);
  runs.push({
    burst: { requests: burstStats.requests, throttled: burstStats.throttled, answered: burst.results.filter((r) => r.ok).length, slowestMs, idealMs, fallbacks: burst.fallbacks },
    poll: {
      answers: answers.length,
      failed: answers.filter((a) => !a.ok).length,
      requests: pollStats.requests,
      // Whole seconds only: the last bucket is a part of a second.
      maxPerSecond: Math.max(...pollStats.perSecond.slice(0, TARGETS.fleetPollSeconds)),
      throttled: pollStats.throttled,
      cachedP99Ms: cached[Math.max(0, Math.ceil(cached.length * 0.99) - 1)] ?? NaN,
      cachedShare: cached.length / Math.max(1, answers.length),
      seconds: (Date.now() - poll.goAt) / 1000,
      fallbacks: poll.fallbacks,
    },
  });
  const worst = <K extends keyof FleetRun, F extends keyof FleetRun[K]>(part: K, field: F) => Math.max(...runs.map((r) => r[part][field] as number));
  const needPerTtl = TARGETS.fleetPollTasks * (TARGETS.fleetPollSeconds * 1000 / TARGETS.fleetPollTtlMs);
  figures.fleet = {
    burstRequests: worst("burst", "requests"),
    burstRequestRatio: round3(worst("burst", "requests") / count),
    burstThrottled: worst("burst", "throttled"),
    burstAnswered: Math.min(...runs.map((r) => r.burst.answered)),
    burstSlowestSeconds: round(worst("burst", "slowestMs") / 1000),
    idealSlowestSeconds: round(median(runs.map((r) => r.burst.idealMs)) / 1000),
    burstSlowestRatio: round3(Math.max(...runs.map((r) => r.burst.slowestMs / (count / 20 * 1000)))),
    pollAnswers: Math.min(...runs.map((r) => r.poll.answers)),
    pollFailed: worst("poll", "failed"),
    pollRequests: worst("poll", "requests"),
    pollRequestRatio: round3(worst("poll", "requests") / needPerTtl),
    pollMaxPerSecond: worst("poll", "maxPerSecond"),
    pollThrottled: worst("poll", "throttled"),
    pollCachedP99Ms: worst("poll", "cachedP99Ms"),
    pollCachedShare: round3(Math.min(...runs.map((r) => r.poll.cachedShare))),
    redisFallbacks: Math.max(...runs.map((r) => r.burst.fallbacks + r.poll.fallbacks)),
    runs: runs.length,
  };
  const last = runs.at(-1)!;
  progress(`  fleet burst: ${last.burst.answered}/${count} answered, ${last.burst.requests} requests (${last.burst.throttled} throttled), slowest ${round(slowestMs / 1000)} s (ideal ${round(idealMs / 1000)} s), ${last.burst.fallbacks} Redis fallbacks`);
  progress(`  fleet polling: ${last.poll.answers} answers (${last.poll.failed} failed) from ${last.poll.requests} requests, max ${last.poll.maxPerSecond}/s, ${last.poll.throttled} throttled, cached p99 ${last.poll.cachedP99Ms} ms`);
}

const round3 = (value: number) => round(value, 3);

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Row {
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean | undefined;
}

function rows(f: Figures): Row[] {
  const out: Row[] = [];
  const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
  if (f.bundle) {
    out.push({ figure: "Bundle size (minified, all included)", measured: `${f.bundle.kb} KB`, baseline: "—", ratio: "—", target: `≤ ${TARGETS.bundleKB} KB`, met: f.bundle.kb <= TARGETS.bundleKB });
  }
  if (f.coldStart) {
    const c = f.coldStart;
    out.push({ figure: "Cold start: load the bundle", measured: ms(c.bundleMs), baseline: `${ms(c.sdkMs)} require("tencentcloud-sdk-nodejs")`, ratio: `${c.ratio.toFixed(3)} (1/${(1 / c.ratio).toFixed(1)})`, target: "≤ 0.050 (1/20)", met: c.ratio <= TARGETS.coldStartRatio });
    out.push({ figure: "  (info) the same with TRTC_REDIS_URL set (+ fleet-redis.js)", measured: ms(c.withRedisMs), baseline: `${ms(c.sdkMs)} require("tencentcloud-sdk-nodejs")`, ratio: c.withRedisRatio.toFixed(3), target: "—", met: undefined });
  }
  if (f.firstAnswer) {
    const a = f.firstAnswer;
    out.push({ figure: "First answer: load + first invocation", measured: ms(a.bundleMs), baseline: `${ms(a.sdkMs)} SDK as its README shows`, ratio: a.ratio.toFixed(3), target: "≤ 1.00", met: a.ratio <= TARGETS.firstAnswerRatio });
    out.push({ figure: "  (info) against the SDK's TRTC client module only", measured: ms(a.bundleMs), baseline: `${ms(a.sdkDeepMs)} SDK deep import`, ratio: a.ratioDeep.toFixed(3), target: "—", met: undefined });
  }
  if (f.warm) {
    const w = f.warm;
    out.push({ figure: "Warm invocation through the middy stack (median)", measured: ms(w.bundleMs), baseline: `${ms(w.sdkMs)} bare SDK call`, ratio: w.ratio.toFixed(3), target: `≤ ${TARGETS.warmRatio.toFixed(2)}`, met: w.ratio <= TARGETS.warmRatio });
    out.push({ figure: `TCP connections for ${w.invocations} warm invocations`, measured: String(w.connections), baseline: "—", ratio: "—", target: `${TARGETS.warmConnections}`, met: w.connections === TARGETS.warmConnections });
  }
  if (f.memory) {
    const m = f.memory;
    out.push({
      figure: `RSS growth, invocation ${m.fromInvocation.toLocaleString("en")} → ${m.invocations.toLocaleString("en")}`,
      measured: `${m.growthMB.toFixed(2)} MB (old space ${signed(m.oldSpaceGrowthMB)} used, ${signed(m.oldSpaceCommittedGrowthMB)} committed; JIT code ${signed(m.codeSpaceGrowthMB)})`,
      baseline: `${m.sdkGrowthMB.toFixed(2)} MB bare SDK loop`,
      ratio: `${m.growthMB - m.sdkGrowthMB >= 0 ? "+" : ""}${(m.growthMB - m.sdkGrowthMB).toFixed(2)} MB`,
      target: `≤ +${TARGETS.memoryFlatMB} MB (flat)`,
      met: m.growthMB - Math.max(0, m.sdkGrowthMB) <= TARGETS.memoryFlatMB,
    });
    out.push({ figure: `RSS after ${m.invocations.toLocaleString("en")} invocations`, measured: `${m.bundleRssAt10kMB.toFixed(1)} MB`, baseline: `${m.sdkRssAt10kMB.toFixed(1)} MB bare SDK loop`, ratio: `${m.vsSdkMB >= 0 ? "+" : ""}${m.vsSdkMB.toFixed(1)} MB`, target: `≤ +${TARGETS.memoryVsSdkMB} MB`, met: m.vsSdkMB <= TARGETS.memoryVsSdkMB });
  }
  if (f.batch) {
    const b = f.batch;
    if (b.pending) {
      out.push({ figure: `(a) Batch of ${BATCH_SIZE} tasks at 20 req/s`, measured: "pending", baseline: "5 s the limit allows", ratio: "—", target: "≤ 1.30, 0 throttling errors", met: undefined });
    } else {
      out.push({ figure: `(a) Batch of ${b.tasks} tasks at 20 req/s`, measured: `${b.seconds.toFixed(2)} s (worst ${b.worstSeconds.toFixed(2)} s)`, baseline: "5 s the limit allows", ratio: b.ratio.toFixed(3), target: "≤ 1.30", met: b.ratio <= 1.3 && b.worstSeconds <= TARGETS.batchSeconds });
      out.push({ figure: "(a) Throttling errors returned to the caller", measured: `${b.throttlingErrors} (${b.answered}/${b.tasks} answered; ${b.upstreamRequests} upstream requests)`, baseline: "—", ratio: "—", target: "0", met: b.throttlingErrors === 0 });
    }
  }
  if (f.fleet) {
    const g = f.fleet;
    out.push({ figure: `(fleet) ${TARGETS.fleetProcesses} containers on Redis, one task each: upstream requests`, measured: `${g.burstRequests} (${g.burstThrottled} throttled; ${g.burstAnswered}/${TARGETS.fleetProcesses} answered)`, baseline: `${TARGETS.fleetProcesses} needed`, ratio: g.burstRequestRatio.toFixed(3), target: `≤ ${TARGETS.fleetRequestRatio.toFixed(3)}, 0 throttled`, met: g.burstRequestRatio <= TARGETS.fleetRequestRatio && g.burstThrottled === 0 && g.burstAnswered === TARGETS.fleetProcesses });
    out.push({ figure: "(fleet) the same burst: slowest answer", measured: `${g.burstSlowestSeconds.toFixed(2)} s`, baseline: `${(TARGETS.fleetProcesses / 20).toFixed(1)} s at 20/s (bare SDK at exactly 20/s: ${g.idealSlowestSeconds.toFixed(2)} s)`, ratio: g.burstSlowestRatio.toFixed(3), target: `≤ ${TARGETS.fleetSlowestRatio.toFixed(2)}`, met: g.burstSlowestRatio <= TARGETS.fleetSlowestRatio });
    out.push({ figure: `(fleet) ${TARGETS.fleetPollers} containers polling ${TARGETS.fleetPollTasks} tasks, ${TARGETS.fleetPollTtlMs / 1000} s cache, ${TARGETS.fleetPollSeconds} s: requests`, measured: `${g.pollRequests} (max ${g.pollMaxPerSecond}/s; ${g.pollThrottled} throttled; ${g.pollFailed} of ${g.pollAnswers} answers failed)`, baseline: `${TARGETS.fleetPollTasks * TARGETS.fleetPollSeconds} (tasks per TTL)`, ratio: g.pollRequestRatio.toFixed(3), target: `≤ ${TARGETS.fleetPollRequestRatio.toFixed(2)}, 0 throttled`, met: g.pollRequestRatio <= TARGETS.fleetPollRequestRatio && g.pollMaxPerSecond <= 15 && g.pollThrottled === 0 && g.pollFailed === 0 });
    out.push({ figure: "(fleet) the same polling: cached answers, p99", measured: `${g.pollCachedP99Ms} ms (${(g.pollCachedShare * 100).toFixed(1)} % of answers cached)`, baseline: "—", ratio: "—", target: "—", met: undefined });
    out.push({ figure: "  (info) invocations that fell back (Redis dead, or later than the start could wait)", measured: String(g.redisFallbacks), baseline: "—", ratio: "—", target: "—", met: undefined });
  }
  for (const [name, runs] of Object.entries(f.fleetVariants ?? {})) {
    const worst = Math.max(...runs.map((r) => r.requests));
    const measured = `${runs.map((r) => r.requests).join(", ")} (${runs.map((r) => r.throttled).join(", ")} throttled; ${runs.map((r) => r.fallbacks).join(", ")} fallbacks)`;
    const met = runs.every((r) => r.requests / TARGETS.fleetProcesses <= TARGETS.fleetRequestRatio && r.throttled === 0 && r.answered === TARGETS.fleetProcesses);
    out.push({ figure: `(${name}) ${TARGETS.fleetProcesses} containers at once, one task each: upstream requests per round`, measured, baseline: `${TARGETS.fleetProcesses} needed`, ratio: (worst / TARGETS.fleetProcesses).toFixed(3), target: `≤ ${TARGETS.fleetRequestRatio.toFixed(3)}, 0 throttled`, met });
  }
  if (f.relays) out.push(...relayRows(f.relays));
  if (f.herd) {
    const h = f.herd;
    out.push({ figure: `(b) ${h.processes} processes at once: answered with a status ≤ ${TARGETS.herdSeconds} s`, measured: `${h.worstAnsweredWithStatus}/${h.processes} (slowest ${h.worstMaxSeconds.toFixed(2)} s, median ${h.p50Seconds.toFixed(2)} s)`, baseline: "—", ratio: "—", target: `${h.processes}/${h.processes}`, met: h.worstAnsweredWithStatus === h.processes });
    out.push({ figure: "(b) Upstream requests spent", measured: `${h.upstreamRequests} (worst ${h.worstUpstreamRequests}; ${h.throttledUpstream} throttled)`, baseline: `${h.processes} needed`, ratio: `${h.requestRatio.toFixed(2)} (worst ${h.worstRequestRatio.toFixed(2)})`, target: `≤ ${TARGETS.herdRequestRatio.toFixed(2)}`, met: h.worstRequestRatio <= TARGETS.herdRequestRatio });
  }
  return out;
}

/** Per mode of the relays figure: the delay from a relay's end to its caller's answer, then the requests it cost. */
function relayRows(r: RelaysFigures): Row[] {
  const out: Row[] = [];
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const [a] = r.modes;
  for (const m of r.modes) {
    const vsA = m.mode === "a" ? undefined : r.ratios[m.mode];
    const name = `(relays ${m.mode}) ${m.callbacks ? "callbacks" : "no callbacks"}, ${m.pollIntervalSeconds} s polls`;
    const delayMet = vsA ? m.maxMs <= RELAYS.contractDelayMs && vsA.median >= RELAYS.expectedRatio && vsA.p99 >= RELAYS.expectedRatio : true;
    out.push({
      figure: `${name}: relay's end → caller's answer`,
      measured: `median ${s(m.medianMs)}, p99 ${s(m.p99Ms)}, max ${s(m.maxMs)} (${m.satisfied}/${r.relays} satisfied)`,
      baseline: vsA && a ? `(a) median ${s(a.medianMs)}, p99 ${s(a.p99Ms)}` : "—",
      ratio: vsA ? `median ${vsA.median.toFixed(1)}, p99 ${vsA.p99.toFixed(1)}` : "—",
      target: vsA ? `max ≤ ${s(RELAYS.contractDelayMs)}; ratios ≥ ${RELAYS.expectedRatio}` : `${r.relays}/${r.relays} satisfied`,
      met: m.satisfied === r.relays && m.callbacksNon200 === 0 && delayMet,
    });
    // With callbacks and a long interval, a wait asks TRTC once when it starts and once to confirm the stop.
    out.push({
      figure: `${name}: DescribeStreamIngest requests`,
      measured: `${m.requests} (${m.throttled} throttled; ${m.requestsAfterConfirmed} after a confirmed end${m.logComplete ? "" : "; log incomplete"})`,
      baseline: vsA && a ? `(a) ${a.requests}` : `${2 * r.relays} (2 per relay)`,
      ratio: vsA ? vsA.requests.toFixed(1) : (m.requests / (2 * r.relays)).toFixed(2),
      target: m.mode === "c" ? `ratio ≥ ${RELAYS.expectedRatio}, 0 throttled` : "0 throttled",
      met: m.throttled === 0 && m.requestsAfterConfirmed === 0 && (m.mode !== "c" || (vsA?.requests ?? 0) >= RELAYS.expectedRatio),
    });
  }
  const withCallbacks = r.modes.filter((m) => m.callbacks);
  out.push({
    figure: "  (info) relays: callbacks delivered (non-200 answers); Redis fallbacks",
    measured: `${withCallbacks.map((m) => `(${m.mode}) ${m.callbacksDelivered}/${m.callbacksSent} (${m.callbacksNon200})`).join(", ")}; ${r.modes.map((m) => `(${m.mode}) ${m.redisFallbacks}`).join(", ")}`,
    baseline: "—",
    ratio: "—",
    target: "0 non-200",
    met: withCallbacks.every((m) => m.callbacksNon200 === 0 && m.callbacksDelivered === m.callbacksSent),
  });
  return out;
}

/** What the relays rows measured, in words, and why the slowest answers were slow. */
function relayNotes(r: RelaysFigures): string[] {
  const slow = (m: RelayModeFigures) =>
    m.slowest.map((x) => `${(x.delayMs / 1000).toFixed(2)} s (ended at ${x.endsAfterSeconds.toFixed(1)} s, ${x.othersBetween} other requests between${x.stopDeliveredMs === undefined ? "" : `, 702 answered in ${x.stopDeliveredMs} ms`})`).join("; ");
  return [
    `(relays) ${r.containers} containers (processes loading the bundle) on one Redis, the emulator at 20 requests/s; ${r.relays} relays end at seeded uniformly random times over ${r.windowSeconds} s, each with one caller waiting for NotExist ` +
      `(a direct invocation, waitTimeoutSeconds ${RELAYS.leadSeconds + r.windowSeconds + RELAYS.waitSlackSeconds}). (a) no callback key, no callback URL; (b), (c) TRTC_CALLBACK_KEY set and the 701/702 events posted to one gateway that hands them to the containers in turn. ` +
      `End → answer: from the relay's end (its 702's EventMsTs; in (a), which has no 702, the end the emulator was given, which the 702s of (b), (c) match within ${Math.max(...r.modes.map((m) => m.endSkewMs))} ms) ` +
      "to its caller's answer; ratios are (a) over the mode. p99 interpolated between ranks.",
    ...r.modes.map((m) => `(relays ${m.mode}) slowest: ${slow(m)}`),
  ];
}

function table(f: Figures): string {
  const header: Row = { figure: "figure", measured: "measured (median)", baseline: "baseline (median)", ratio: "ratio", target: "target", met: undefined };
  const all = [header, ...rows(f)];
  const cells = (r: Row) => [r.figure, r.measured, r.baseline, r.ratio, r.target, r === header ? "met" : r.met === undefined ? "—" : r.met ? "yes" : "NO"];
  const widths = cells(header).map((_, i) => Math.max(...all.map((r) => cells(r)[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(cells(header)), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...all.slice(1).map((r) => line(cells(r)))].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------

/** Where `--write-docs` puts the latest report: docs/performance.md (the README links to it rather than repeat it). */
const DOCS = [join(ROOT, "docs", "performance.md")];
const BEGIN = "<!-- bench:begin (npm run bench -- --write-docs) -->";
const END = "<!-- bench:end -->";

/** Replaces the marked section of each document with this run's report. */
function writeDocs(report: string): void {
  for (const file of DOCS) {
    const text = readFileSync(file, "utf8");
    const from = text.indexOf(BEGIN);
    const to = text.indexOf(END);
    if (from < 0 || to < from) throw new Error(`${relative(ROOT, file)} has no ${BEGIN} … ${END} section`);
    writeFileSync(file, `${text.slice(0, from + BEGIN.length)}\n\n${report}\n\n${text.slice(to)}`);
    progress(`wrote the table into ${relative(ROOT, file)}`);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const figures: Figures = {};
  if (options.bundle) progress(`measuring ${bundlePath} as it is (no build)`);
  else await bundleSize(figures);
  await compileChildren();

  const host = await startEmulatorHost();
  const { fast, fastBaseline, limited } = host.emulators;

  const cold = { bundle: [] as number[], sdk: [] as number[], "bundle-redis": [] as number[] };
  const first = { bundle: [] as number[], sdk: [] as number[], "sdk-deep": [] as number[] };
  const warmRuns: Parameters<typeof warm>[3] = [];
  const memoryRuns = { bundle: [] as MemorySamples[], sdk: [] as MemorySamples[] };
  const batchRuns: Parameters<typeof batch>[2] = [];
  const herdRuns: HerdRun[] = [];
  const fleetRuns: FleetRun[] = [];
  const redis = wanted("fleet") || wanted("relays") ? await startRedis() : undefined;
  const cluster: TestCluster | undefined = optedIn("fleet-cluster") ? await startRedisCluster() : undefined;
  const certificates: TestCertificates | undefined = optedIn("fleet-tls") ? makeCertificates() : undefined;
  const tlsRedis = certificates ? await startRedis({ tls: certificates.trusted, user: "bench", password: "bench-tls-password" }) : undefined;
  // Rounds only for the figures measured each round (--only relays runs none).
  const perRound = ["cold", "first", "warm", "memory", "herd", "batch", "fleet"].some(wanted) || Boolean(cluster || tlsRedis);
  try {
    for (let r = 0; perRound && r < rounds; r++) {
      progress(`round ${r + 1}/${rounds}`);
      if (wanted("cold")) {
        progress("  cold start");
        await coldStart(figures, cold);
      }
      if (wanted("first")) {
        progress("  first answer");
        await firstAnswer(figures, fast, first);
      }
      if (wanted("warm")) {
        progress("  warm overhead");
        await warm(figures, fast, fastBaseline, warmRuns);
      }
      if (wanted("memory")) {
        progress("  memory");
        await memory(figures, fast, memoryRuns, r);
      }
      if (wanted("herd")) {
        progress("  rate limit (b): 60 processes");
        await herd(figures, limited, herdRuns);
      }
      if (wanted("batch")) {
        progress("  rate limit (a): batch of 100");
        await batch(figures, limited, batchRuns);
      }
      if (redis && wanted("fleet")) {
        progress("  fleet on Redis: 60-container burst, 20 containers polling with a cache");
        await fleet(figures, limited, redis, fleetRuns);
      }
      if (cluster) await fleetVariant(figures, limited, "fleet-cluster", { TRTC_REDIS_URL: cluster.url(), TRTC_REDIS_CLUSTER: "true" });
      if (tlsRedis) await fleetVariant(figures, limited, "fleet-tls", { TRTC_REDIS_URL: tlsRedis.url, NODE_EXTRA_CA_CERTS: certificates!.trusted.ca });
    }
    if (redis && wanted("relays")) {
      progress("relays (once): 20 containers watching 50 relays end, with callbacks and without");
      figures.relays = await relays({
        emulator: host.emulators.relays,
        redisUrl: redis.url,
        quick,
        spawn: (env, onMessage) => spawnChild<unknown>("relay-container", [], { env, onMessage, timeoutMs: 300_000 }),
        progress,
      });
    }
  } finally {
    await host.close();
    await redis?.stop();
    await cluster?.stop();
    await tlsRedis?.stop();
    certificates?.remove();
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  const report: string[] = [`DescribeStreamIngest function benchmark — node ${process.version}, ${rounds} round(s), ${seconds} s, emulator on loopback`, "", table(figures)];
  if (figures.bundle) {
    report.push("", `Bundle ${relative(ROOT, BUNDLE_PATH)}: ${figures.bundle.kb} KB (budget ${BUNDLE_BUDGET_BYTES / 1024} KB). Largest inputs:`, "");
    for (const input of figures.bundle.largestInputs) report.push(`    ${`${input.kb.toFixed(1)} KB`.padStart(8)}  ${input.path}`);
  }
  if (figures.relays) report.push("", ...relayNotes(figures.relays).flatMap((line, i) => (i === 0 ? [line] : ["", line])));
  if (herdRuns.length > 0) {
    report.push("", `(b) per run: ${herdRuns.map((h) => `${h.answeredWithStatus}/60 in ≤ ${h.maxSeconds.toFixed(2)} s, ${h.requests} requests`).join("; ")}`);
  }
  console.log(`\n${report.join("\n")}`);
  // A partial run (--only, --quick, another --bundle) must not replace the published figures.
  if (options["write-docs"]) {
    if (only || quick || options.bundle) progress("--write-docs ignored: only a full run of the shipped bundle is published");
    else writeDocs(report.join("\n"));
  }
  console.log(JSON.stringify({ benchmark: "describe-stream-ingest", node: process.version, rounds, seconds, targets: TARGETS, figures }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

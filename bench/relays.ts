/**
 * The relays figure: 20 containers watching 50 relays that end at random over a minute, with TRTC's callbacks and
 * without. Each relay has one waiting caller, a direct wait for NotExist on one of the containers; what is measured
 * is what TRTC is asked (the emulator's count of DescribeStreamIngest) and how long after a relay's end its caller
 * has the answer.
 *
 * The parts are real: one redis-server for the fleet, the emulator at TRTC's 20 requests per second, 20 processes
 * each loading the built bundle (bench/relay-container.ts) with TRTC_REDIS_URL, and, with callbacks, the
 * emulator's signed 701/702 events posted to one URL, a payload-2.0 gateway (test/support/http-gateway.ts) that
 * hands each to the next container in turn (TRTC posts to one URL; any container may get any event).
 *
 * Modes, each its own row: (a) no callbacks (no key in the containers, no callback URL), waits poll every 5 s (the
 * default); (b) callbacks, polls every 5 s; (c) callbacks, polls every 60 s (a user with callbacks lets the stop end
 * the wait). The relays' ends come from a seeded generator, so every mode sees the same ends.
 */
import type { ChildProcess } from "node:child_process";
import type { CallbackLogEntry, CallbackSettings, EmulatorStats, RequestLogEntry, SeedTask } from "../emulator";
import { startGateway, type TestGateway } from "../test/support/http-gateway";

export const RELAYS = {
  relays: 50,
  containers: 20,
  /** Ends are uniform over this window, which starts LEAD_SECONDS after the seeding (all waits are asked by then). */
  windowSeconds: 60,
  quickWindowSeconds: 20,
  leadSeconds: 1,
  /** Covers the last end with room for a wait that answers late. */
  waitSlackSeconds: 30,
  /** Lambda's 15 minutes: the wait, not the platform, decides when it ends. */
  remainingMs: 900_000,
  /** A callback invocation's time, as a callback function with a 10 s timeout would have. */
  callbackRemainingMs: 10_000,
  seed: 20261124,
  sdkAppId: 1400000001,
  /** The contract: a wait for NotExist ends within 1 s of a recorded stop, whatever its poll interval. */
  contractDelayMs: 1000,
  /** The issue's expectation: callbacks cut requests and the delay by an order of magnitude. */
  expectedRatio: 10,
} as const;

const CALLBACK_KEY = "BenchRelaysCallbackKey2026";

export interface RelayMode {
  name: "a" | "b" | "c";
  label: string;
  callbacks: boolean;
  pollIntervalSeconds: number;
}

export const RELAY_MODES: readonly RelayMode[] = [
  { name: "a", label: "(a) no callbacks, waits poll every 5 s", callbacks: false, pollIntervalSeconds: 5 },
  { name: "b", label: "(b) callbacks, waits poll every 5 s", callbacks: true, pollIntervalSeconds: 5 },
  { name: "c", label: "(c) callbacks, waits poll every 60 s", callbacks: true, pollIntervalSeconds: 60 },
];

/** The emulator in bench/emulator-host.ts, as far as this figure drives it. */
export interface RelaysEmulator {
  url: string;
  stats(): Promise<Omit<EmulatorStats, "log">>;
  resetStats(): Promise<void>;
  seedTimed(tasks: SeedTask[]): Promise<Array<{ taskId: string; seededAt: number }>>;
  configureCallbacks(settings: CallbackSettings | undefined): Promise<void>;
  callbackLog(): Promise<CallbackLogEntry[]>;
  callbacksIdle(): Promise<void>;
  requestLog(): Promise<RequestLogEntry[]>;
}

export interface RelaysDeps {
  emulator: RelaysEmulator;
  redisUrl: string;
  quick: boolean;
  /** Starts one container (bench/relay-container.ts) with `env`; its messages go to `onMessage`. */
  spawn(env: Record<string, string>, onMessage: (message: any) => void): { child: ChildProcess; done: Promise<{ redisFallbacks: number }> };
  progress(message: string): void;
}

export interface DelayFigures {
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface RelayModeFigures extends DelayFigures {
  mode: RelayMode["name"];
  label: string;
  pollIntervalSeconds: number;
  callbacks: boolean;
  /** DescribeStreamIngest requests the emulator received during the mode. */
  requests: number;
  throttled: number;
  /** Waits that answered NotExist with `wait.satisfied`. */
  satisfied: number;
  /** Waits asked after their relay had already ended (should be 0: the figure would not measure a wait). */
  askedAfterEnd: number;
  /** Requests for a task at or after its end, beyond the one that confirmed it (should be 0). */
  requestsAfterConfirmed: number;
  /** Requests for a task after its waiting caller was answered (should be 0: nobody else asks). */
  requestsAfterAnswer: number;
  /** Whether the emulator's request log held every request of the mode (it keeps the last 1000). */
  logComplete: boolean;
  /** Callback events sent (701 and 702), delivered (HTTP 200), and attempts answered otherwise. */
  callbacksSent: number;
  callbacksDelivered: number;
  callbacksNon200: number;
  /** Invocations whose log line says Redis did not answer in time. */
  redisFallbacks: number;
  /** The largest gap between a 702's EventMsTs and the end the emulator was told (seeding time + endsAfterSeconds). */
  endSkewMs: number;
  seconds: number;
  /** The three slowest answers, to read why: when the relay ended, its 702's answer, the wait's polls. */
  slowest: SlowRelay[];
}

export interface SlowRelay {
  /** The relay's end, seconds after it was seeded. */
  endsAfterSeconds: number;
  delayMs: number;
  /** When the gateway answered the relay's 702 (HTTP 200), ms after the end; undefined without callbacks. */
  stopDeliveredMs?: number;
  polls: number;
  /** Requests for other tasks TRTC received between this relay's end and its last request: the budget's queue. */
  othersBetween: number;
}

export interface RelaysFigures {
  relays: number;
  containers: number;
  windowSeconds: number;
  modes: RelayModeFigures[];
  /** (a) over (b) and (a) over (c): requests, median and p99 delay. */
  ratios: Record<"b" | "c", { requests: number; median: number; p99: number }>;
}

/**
 * mulberry32: a seeded 32-bit generator in five lines, written here because the figure needs only reproducible
 * uniform numbers and no dependency of the project offers a seeded generator of its own.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** When each relay ends, seconds after it is seeded: the same for every mode. */
export function relayEnds(count: number, windowSeconds: number): number[] {
  const random = seededRandom(RELAYS.seed);
  return Array.from({ length: count }, () => Math.round((RELAYS.leadSeconds + random() * windowSeconds) * 1000) / 1000);
}

/** The p-th percentile by linear interpolation between ranks (of 50 values, nearest rank would be the maximum). */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p / 100) * (sorted.length - 1);
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

export function delays(values: readonly number[]): DelayFigures {
  return { medianMs: Math.round(percentile(values, 50)), p99Ms: Math.round(percentile(values, 99)), maxMs: Math.max(...values) };
}

interface InvokeAnswer {
  result: any;
  startedAt: number;
  answeredAt: number;
}

interface RelayContainer {
  invoke(event: unknown, remainingMs: number): Promise<InvokeAnswer>;
  stop(): Promise<{ redisFallbacks: number }>;
  kill(): void;
}

function startContainer(deps: RelaysDeps, env: Record<string, string>): Promise<RelayContainer> {
  const pending = new Map<number, { resolve: (answer: InvokeAnswer) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const { child, done } = deps.spawn(env, (message) => {
    if (message?.type === "ready") ready();
    else if (message?.type === "answer") {
      pending.get(message.id)?.resolve(message);
      pending.delete(message.id);
    }
  });
  // A container that dies fails what it was asked, rather than leaving its callers waiting for ever.
  done.catch((error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  });
  const container: RelayContainer = {
    invoke: (event, remainingMs) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ type: "invoke", id, event, remainingMs });
      }),
    stop: () => {
      child.send({ type: "stop" });
      return done;
    },
    kill: () => child.kill("SIGKILL"),
  };
  return Promise.race([isReady.then(() => container), done.then(() => Promise.reject(new Error("relay container exited before it was ready")))]);
}

/** All the containers, or none: those started are killed when another fails to start. */
async function startContainers(deps: RelaysDeps, env: Record<string, string>): Promise<RelayContainer[]> {
  const started = await Promise.allSettled(Array.from({ length: RELAYS.containers }, () => startContainer(deps, env)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  const containers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (!failed) return containers;
  for (const container of containers) container.kill();
  throw failed.reason;
}

/** The gateway TRTC posts to: each request goes to the next container, in turn. */
function callbackGateway(containers: RelayContainer[]): Promise<TestGateway> {
  let next = 0;
  const handler = async (event: unknown) => (await containers[next++ % containers.length]!.invoke(event, RELAYS.callbackRemainingMs)).result;
  return startGateway(() => handler, { timeoutMs: RELAYS.callbackRemainingMs });
}

interface ModeRun {
  seeded: Array<{ taskId: string; seededAt: number; endsAfterSeconds: number }>;
  answers: InvokeAnswer[];
  stats: Omit<EmulatorStats, "log">;
  requestLog: RequestLogEntry[];
  callbackLog: CallbackLogEntry[];
  gatewayNon200: number;
  redisFallbacks: number;
  seconds: number;
}

async function runMode(deps: RelaysDeps, mode: RelayMode, ends: number[], windowSeconds: number): Promise<ModeRun> {
  const { emulator } = deps;
  const env: Record<string, string> = { TRTC_ENDPOINT_URL: emulator.url, TRTC_REDIS_URL: deps.redisUrl, LOG_LEVEL: "info" };
  if (mode.callbacks) env.TRTC_CALLBACK_KEY = CALLBACK_KEY;
  const containers = await startContainers(deps, env);
  let gateway: TestGateway | undefined;
  try {
    if (mode.callbacks) {
      gateway = await callbackGateway(containers);
      await emulator.configureCallbacks({ url: `${gateway.url}/stream-ingest/callback`, key: CALLBACK_KEY });
    } else await emulator.configureCallbacks(undefined);
    await emulator.resetStats();
    const started = Date.now();
    const tasks = ends.map((endsAfterSeconds, i) => ({ SdkAppId: RELAYS.sdkAppId, TaskId: `bench-relay-${mode.name}-${started}-${i}`, endsAfterSeconds }));
    const seeded = (await emulator.seedTimed(tasks)).map((s, i) => ({ ...s, endsAfterSeconds: ends[i]! }));
    const wait = { waitFor: "NotExist", pollIntervalSeconds: mode.pollIntervalSeconds, waitTimeoutSeconds: RELAYS.leadSeconds + windowSeconds + RELAYS.waitSlackSeconds };
    const answers = await Promise.all(seeded.map(({ taskId }, i) => containers[i % containers.length]!.invoke({ SdkAppId: RELAYS.sdkAppId, TaskId: taskId, ...wait }, RELAYS.remainingMs)));
    if (mode.callbacks) await emulator.callbacksIdle();
    const seconds = (Date.now() - started) / 1000;
    const [stats, requestLog, callbackLog] = await Promise.all([emulator.stats(), emulator.requestLog(), emulator.callbackLog()]);
    const ids = new Set(seeded.map((s) => s.taskId));
    let gatewayNon200 = 0;
    for (const [status, count] of gateway?.answered ?? []) if (status !== 200) gatewayNon200 += count;
    const stopped = await Promise.all(containers.map((c) => c.stop()));
    return {
      seeded,
      answers,
      stats,
      requestLog: requestLog.filter((entry) => entry.action === "DescribeStreamIngest"),
      callbackLog: callbackLog.filter((entry) => ids.has(entry.taskId)),
      gatewayNon200,
      redisFallbacks: stopped.reduce((sum, s) => sum + s.redisFallbacks, 0),
      seconds,
    };
  } finally {
    await emulator.configureCallbacks(undefined);
    await gateway?.close();
    for (const container of containers) container.kill();
  }
}

const toldEnd = ({ seededAt, endsAfterSeconds }: ModeRun["seeded"][number]) => seededAt + Math.round(endsAfterSeconds * 1000);
const stopOf = (run: ModeRun, taskId: string) => run.callbackLog.find((entry) => entry.taskId === taskId && entry.eventType === 702);

/** A relay's end: its 702's EventMsTs when one was sent, else when the emulator was told to end it. */
function endOf(run: ModeRun, i: number): number {
  const seeded = run.seeded[i]!;
  return stopOf(run, seeded.taskId)?.eventMsTs ?? toldEnd(seeded);
}

/** Requests for each task: at or after its end beyond the first (the confirming one), and after its answer. */
function requestsAfter(run: ModeRun): { afterConfirmed: number; afterAnswer: number } {
  let afterConfirmed = 0;
  let afterAnswer = 0;
  run.seeded.forEach(({ taskId }, i) => {
    const asked = run.requestLog.filter((entry) => entry.taskId === taskId).map((entry) => entry.at);
    afterConfirmed += Math.max(0, asked.filter((at) => at >= endOf(run, i)).length - 1);
    afterAnswer += asked.filter((at) => at > run.answers[i]!.answeredAt).length;
  });
  return { afterConfirmed, afterAnswer };
}

function figuresOf(mode: RelayMode, run: ModeRun): RelayModeFigures {
  const ends = run.seeded.map((_, i) => endOf(run, i));
  const satisfied = run.answers.filter(({ result }) => result?.ok === true && result.status === "NotExist" && result.wait?.satisfied === true).length;
  const requests = run.stats.byAction.DescribeStreamIngest ?? 0;
  const after = requestsAfter(run);
  return {
    mode: mode.name,
    label: mode.label,
    pollIntervalSeconds: mode.pollIntervalSeconds,
    callbacks: mode.callbacks,
    ...delays(run.answers.map((a, i) => a.answeredAt - ends[i]!)),
    requests,
    throttled: run.stats.throttled,
    satisfied,
    askedAfterEnd: run.answers.filter((a, i) => a.startedAt >= ends[i]!).length,
    requestsAfterConfirmed: after.afterConfirmed,
    requestsAfterAnswer: after.afterAnswer,
    logComplete: run.requestLog.length === requests,
    callbacksSent: run.callbackLog.length,
    callbacksDelivered: run.callbackLog.filter((entry) => entry.state === "delivered").length,
    callbacksNon200: run.callbackLog.reduce((sum, entry) => sum + entry.attempts.filter((a) => !a.ok).length, 0) + run.gatewayNon200,
    redisFallbacks: run.redisFallbacks,
    endSkewMs: Math.max(0, ...run.seeded.map((seeded) => Math.abs((stopOf(run, seeded.taskId)?.eventMsTs ?? toldEnd(seeded)) - toldEnd(seeded)))),
    seconds: Math.round(run.seconds * 10) / 10,
    slowest: slowest(run, ends),
  };
}

function othersBetween(run: ModeRun, taskId: string, end: number): number {
  const last = Math.max(...run.requestLog.filter((entry) => entry.taskId === taskId).map((entry) => entry.at));
  return run.requestLog.filter((entry) => entry.taskId !== taskId && entry.at >= end && entry.at < last).length;
}

function slowest(run: ModeRun, ends: number[]): SlowRelay[] {
  const relays = run.seeded.map(({ taskId, endsAfterSeconds }, i) => {
    const stop = stopOf(run, taskId);
    const delivered = stop?.attempts.find((a) => a.ok);
    return {
      endsAfterSeconds,
      delayMs: run.answers[i]!.answeredAt - ends[i]!,
      ...(delivered ? { stopDeliveredMs: delivered.at + delivered.durationMs - ends[i]! } : {}),
      polls: run.answers[i]!.result?.wait?.polls ?? 0,
      othersBetween: othersBetween(run, taskId, ends[i]!),
    };
  });
  return relays.sort((x, y) => y.delayMs - x.delayMs).slice(0, 3);
}

const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 1)) * 10) / 10;

/** Runs the three modes in turn, once each (about 70 s each; 30 s with --quick). */
export async function relays(deps: RelaysDeps): Promise<RelaysFigures> {
  const windowSeconds = deps.quick ? RELAYS.quickWindowSeconds : RELAYS.windowSeconds;
  const ends = relayEnds(RELAYS.relays, windowSeconds);
  const modes: RelayModeFigures[] = [];
  for (const mode of RELAY_MODES) {
    deps.progress(`  relays ${mode.label}: ${RELAYS.relays} relays ending over ${windowSeconds} s, ${RELAYS.containers} containers`);
    const figures = figuresOf(mode, await runMode(deps, mode, ends, windowSeconds));
    modes.push(figures);
    const f = figures;
    const slow = f.slowest.map((r) => `${r.delayMs} ms (end at ${r.endsAfterSeconds} s, ${r.polls} polls, ${r.othersBetween} other requests between end and answer${r.stopDeliveredMs === undefined ? "" : `, 702 answered after ${r.stopDeliveredMs} ms`})`);
    deps.progress(
      `    ${f.requests} requests (${f.throttled} throttled), end → answer median ${f.medianMs} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms, ${f.satisfied}/${RELAYS.relays} satisfied, ` +
        `${f.requestsAfterConfirmed} requests after a confirmed end, ${f.requestsAfterAnswer} after the answer${f.logComplete ? "" : " (request log incomplete)"}, ` +
        `callbacks ${f.callbacksDelivered}/${f.callbacksSent} delivered, ${f.callbacksNon200} non-200, ${f.redisFallbacks} Redis fallbacks, ${f.seconds} s; slowest: ${slow.join("; ")}`,
    );
  }
  const [a, b, c] = modes as [RelayModeFigures, RelayModeFigures, RelayModeFigures];
  const against = (x: RelayModeFigures) => ({ requests: ratio(a.requests, x.requests), median: ratio(a.medianMs, x.medianMs), p99: ratio(a.p99Ms, x.p99Ms) });
  return { relays: RELAYS.relays, containers: RELAYS.containers, windowSeconds, modes, ratios: { b: against(b), c: against(c) } };
}

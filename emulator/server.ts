/** The HTTP server: routing between the API and the control endpoint, body reading, sockets, lifecycle. */
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { CallbackService } from "./callbacks";
import { CONTROL_PREFIX, handleControlRequest } from "./control";
import { CredentialStore, defaultCredentials } from "./credentials";
import { sendJson } from "./envelope";
import { FaultStore } from "./faults";
import { handleApiRequest, type GatewayState, type RequestBody } from "./gateway";
import { SlidingWindowLimiter } from "./rate-limit";
import demoTasks from "./seed/demo-tasks.json";
import { StatsRecorder } from "./stats";
import { TaskStore } from "./tasks";
import type { EmulatorOptions, RequestLogEntry, RunningEmulator, SeedTask } from "./types";

/** The real API takes request bodies up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A seed file holds an array of SeedTask (or {"tasks": [...]}). */
export function readSeedFile(file: string): SeedTask[] {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  const tasks = Array.isArray(parsed) ? parsed : (parsed as { tasks?: unknown })?.tasks;
  if (!Array.isArray(tasks)) throw new Error(`${file}: expected an array of tasks`);
  return tasks as SeedTask[];
}

function logLine(entry: RequestLogEntry): void {
  const outcome = entry.fault ? `fault:${entry.fault}` : (entry.code ?? entry.status ?? "OK");
  console.log(`${new Date(entry.at).toISOString()} ${entry.action || "-"} ${outcome} ${entry.requestId}`);
}

function callbackLine(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

/** Reads the whole body (keeping at most 10 MB); undefined when the client went away. */
async function readBody(req: IncomingMessage): Promise<RequestBody | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
  } catch {
    return undefined;
  }
  return size <= MAX_BODY_BYTES ? { bytes: Buffer.concat(chunks), tooLarge: false } : { bytes: Buffer.alloc(0), tooLarge: true };
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const closing = new AbortController();
  // Every delayed or hanging request listens on this one signal; hundreds at once is a load test, not a leak.
  setMaxListeners(0, closing.signal);
  const tasks = new TaskStore();
  // Before any task exists, so that every start and end is heard; throws on bad settings before anything listens.
  const callbacks = new CallbackService(tasks, opts.callbacks, opts.quiet ? undefined : callbackLine);
  const state: GatewayState = {
    credentials: new CredentialStore(opts.credentials ?? defaultCredentials()),
    tasks,
    faults: new FaultStore(),
    limiter: new SlidingWindowLimiter(opts.rateLimitPerSecond ?? 20),
    stats: new StatsRecorder(),
    closing: closing.signal,
    log: opts.quiet ? undefined : logLine,
  };
  const seeds = opts.seedFile === undefined ? (demoTasks as SeedTask[]) : opts.seedFile ? readSeedFile(opts.seedFile) : [];
  // Tasks given at start-up were already running: their start is not announced (their end is).
  for (const seed of [...seeds, ...(opts.tasks ?? [])]) tasks.seed(seed, Date.now(), false);

  const sockets = new Set<Socket>();
  let emulator: RunningEmulator;

  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      console.error("[trtc-emulator] unexpected error:", error);
      res.destroy();
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    const body = await readBody(req);
    if (!body) return;
    if (path.startsWith(CONTROL_PREFIX)) {
      if (body.tooLarge) sendJson(res, 413, { error: "body too large" });
      else await handleControlRequest(emulator, req, res, body.bytes);
    } else if (path === "/") {
      await handleApiRequest(state, req, res, body);
    } else {
      sendJson(res, 404, { error: `not found: ${path}; the API is at / and the control endpoint under ${CONTROL_PREFIX}` });
    }
  }
  // Like the real front end, keep idle connections well beyond Node's 5 s default, so that clients reusing a
  // keep-alive socket do not race the server closing it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("connection", (socket: Socket) => {
    state.stats.connection();
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  emulator = {
    url: `http://${urlHost(opts.host ?? "127.0.0.1")}:${port}`,
    port,
    addFault: (rule) => state.faults.add(rule),
    clearFaults: () => state.faults.clear(),
    addCredential: (credential) => state.credentials.add(credential),
    expireToken: (secretId) => state.credentials.expireToken(secretId),
    seedTask: (task) => tasks.seed(task),
    stopTask: (sdkAppId, taskId) => tasks.stop(sdkAppId, taskId),
    restartTask: (sdkAppId, taskId, options) => callbacks.restart(sdkAppId, taskId, options?.ms),
    configureCallbacks: (settings) => callbacks.configure(settings),
    callbackSettings: () => callbacks.view(),
    addCallbackFault: (rule) => callbacks.addFault(rule),
    clearCallbackFaults: () => callbacks.clearFaults(),
    callbackLog: () => callbacks.entries(),
    callbacksIdle: () => callbacks.idle(),
    stats: () => state.stats.snapshot(),
    resetStats: () => {
      state.stats.reset();
      state.limiter.reset();
    },
    // Hung and keep-alive sockets would keep server.close() waiting: destroy them all.
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing.abort();
        tasks.close();
        callbacks.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
  return emulator;
}

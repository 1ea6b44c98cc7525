/**
 * `npm start`: the function behind a local API Gateway (serverless-offline under osls), against the local TRTC
 * emulator, or against the real TRTC API when TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY are set.
 * Builds the bundle first, prints the URL and curl lines, stops everything on one Ctrl-C (SIGINT/SIGTERM/SIGHUP).
 *
 *   npm start [-- --port 3000] [--lambda-port 3002] [--emulator-port 4577] [--sdk-app-id N --task-id T] [--param k=v]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY } from "../emulator/credentials";
import { CALLBACK_ROUTE, DEMO_CALLBACK_KEY, DEMO_SDK_APP_ID, DEMO_TASK_ID, MISSING_TASK_ID, ROOT, ROUTE, ensureBundle, hasRealCredentials, portOrFree } from "./lib/dev";

const HOST = "127.0.0.1";
const STARTUP_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 5_000;
const USAGE = `Usage: npm start [-- --port 3000] [--lambda-port 3002] [--emulator-port 4577] [--sdk-app-id N] [--task-id T] [--param name=value]
  --param sets a serverless.yml parameter (trtcRegion, allowedSdkAppIds, logLevel, …); repeat it for several.
  Ports default to PORT / LAMBDA_PORT / EMULATOR_PORT, else free ones (0 = pick a free one).
  With TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY set, the real TRTC API is used instead of the emulator;
  --sdk-app-id / --task-id then fill in the curl lines.`;

interface Child {
  name: string;
  process: ChildProcess;
  /** Output kept until the child is ready (shown if start-up fails), then streamed with a prefix. */
  backlog: string[];
  streaming: boolean;
  exited: Promise<void>;
}

const children: Child[] = [];
let stopping = false;

function killGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.process.pid!, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Spawns `node args…` in its own process group (so a stop reaches everything it starts). */
function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Child {
  const proc = spawn(process.execPath, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const child: Child = {
    name,
    process: proc,
    backlog: [],
    streaming: false,
    exited: new Promise((resolve) => proc.once("exit", () => resolve())),
  };
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (child.streaming) {
          if (line.trim()) console.log(`[${name}] ${line}`);
        } else {
          child.backlog.push(line);
          if (child.backlog.length > 400) child.backlog.shift();
        }
      }
    });
  }
  proc.once("exit", (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} exited unexpectedly (${signal ?? `code ${code}`}).`);
    if (!child.streaming && child.backlog.length) console.error(child.backlog.map((line) => `[${name}] ${line}`).join("\n"));
    void stop(1);
  });
  children.push(child);
  return child;
}

/** Resolves with the first match of `pattern` in the child's output (kept in its backlog). */
function waitForLine(child: Child, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name} did not report ${what} within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
    const check = () => {
      for (const line of child.backlog) {
        const match = line.match(pattern);
        if (match) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(match);
          return;
        }
      }
    };
    const poll = setInterval(check, 50);
    child.process.once("exit", () => {
      clearTimeout(timer);
      clearInterval(poll);
    });
  });
}

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const alive = children.filter((child) => child.process.exitCode === null && child.process.signalCode === null);
    for (const child of alive) killGroup(child, "SIGTERM");
    const grace = setTimeout(() => alive.forEach((child) => killGroup(child, "SIGKILL")), STOP_GRACE_MS);
    await Promise.all(children.map((child) => child.exited));
    clearTimeout(grace);
    // Anything the children left behind in their groups.
    for (const child of children) killGroup(child, "SIGKILL");
    if (code === 0) console.log("Stopped.");
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

/** Environment for the children: no cloud prompts or telemetry; dev-loop settings win. */
function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", FORCE_COLOR: "0" };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** The curl lines that show a relay's story: TRTC's stop callback, then answers that need no more TRTC requests. */
function relayStoryLines(emulatorUrl: string, statusUrl: string): string[] {
  const task = JSON.stringify({ SdkAppId: DEMO_SDK_APP_ID, TaskId: DEMO_TASK_ID });
  return [
    "",
    "  # The relay's story from TRTC's callbacks (the emulator plays TRTC): stop the demo relay; the emulator POSTs",
    "  # a signed stream-ingest 702 event to the function's callback route, which records it",
    `  curl -s -w '\\n' -X POST '${emulatorUrl}/_emulator/tasks/stop' -d '${task}'`,
    "  # ask again: NotExist with \"relay\": {\"phase\": \"stopped\", …} (one confirming TRTC request); ask once more:",
    "  # \"cached\": true, answered from the record with no TRTC request",
    `  curl -s -w '\\n' '${statusUrl}'`,
    "  # how many DescribeStreamIngest requests the emulator has answered",
    `  curl -s '${emulatorUrl}/_emulator/stats' | grep -o '"DescribeStreamIngest":[0-9]*'`,
  ];
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        "lambda-port": { type: "string" },
        "emulator-port": { type: "string" },
        "sdk-app-id": { type: "string" },
        "task-id": { type: "string" },
        // serverless.yml parameters (trtcRegion, allowedSdkAppIds, logLevel, …), passed on to osls.
        param: { type: "string", multiple: true },
        // Directory holding serverless.yml (default: the repository root).
        "service-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const serviceDir = values["service-dir"] ? resolve(values["service-dir"]) : ROOT;
  if (!existsSync(join(serviceDir, "serverless.yml"))) {
    console.error(`No serverless.yml in ${serviceDir}: npm start serves the function that file declares.`);
    process.exit(1);
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
  // `npm start` killed with SIGTERM does not pass it on: stop when the parent goes away (we get re-parented).
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void stop(0), 500).unref();
  // Last resort if this process dies some other way: take the children down with it.
  process.on("exit", () => children.forEach((child) => killGroup(child, "SIGKILL")));

  const realApi = hasRealCredentials();
  const [httpPort, lambdaPort] = [
    await portOrFree(values.port ?? process.env.PORT, "--port / PORT"),
    await portOrFree(values["lambda-port"] ?? process.env.LAMBDA_PORT, "--lambda-port / LAMBDA_PORT"),
  ];

  const buildMs = await ensureBundle(true);
  console.log(`Built dist/describe-stream-ingest/index.js in ${buildMs} ms`);

  let emulatorUrl: string | undefined;
  let functionEnv: Record<string, string | undefined>;
  if (realApi) {
    functionEnv = { TRTC_ENDPOINT_URL: undefined };
  } else {
    const emulatorPort = await portOrFree(values["emulator-port"] ?? process.env.EMULATOR_PORT, "--emulator-port / EMULATOR_PORT");
    // Without TENCENTCLOUD_SECRET_* in its environment the emulator accepts the demo pair only.
    // The emulator plays TRTC's callbacks too: signed stream-ingest events to the local function's callback route.
    const callbackUrl = `http://${HOST}:${httpPort}${CALLBACK_ROUTE}`;
    const emulator = startChild(
      "emulator",
      ["--import", "tsx", "emulator/cli.ts", "--port", String(emulatorPort), "--host", HOST, "--callback-url", callbackUrl, "--callback-key", DEMO_CALLBACK_KEY],
      childEnv({ TENCENTCLOUD_SECRET_ID: undefined, TENCENTCLOUD_SECRET_KEY: undefined, TENCENTCLOUD_SESSION_TOKEN: undefined }),
    );
    emulatorUrl = (await waitForLine(emulator, /TRTC emulator listening on (http:\/\/\S+)/, "its URL"))[1];
    functionEnv = {
      TRTC_ENDPOINT_URL: emulatorUrl,
      TENCENTCLOUD_SECRET_ID: DEMO_SECRET_ID,
      TENCENTCLOUD_SECRET_KEY: DEMO_SECRET_KEY,
      TENCENTCLOUD_SESSION_TOKEN: undefined,
      TENCENTCLOUD_SECRETID: undefined,
      TENCENTCLOUD_SECRETKEY: undefined,
      TENCENTCLOUD_SESSIONTOKEN: undefined,
    };
  }

  // serverless.yml passes these through with ${env:…}; serverless-offline runs the handler in a worker thread.
  const offline = startChild(
    "offline",
    [
      join(ROOT, "node_modules", "osls", "bin", "serverless.js"),
      "offline",
      "start",
      "--host", HOST,
      "--httpPort", String(httpPort),
      "--lambdaPort", String(lambdaPort),
      // IAM auth guards the deployed route; locally there is no signed caller.
      "--noAuth",
      // The callback route and its key, where the emulator plays TRTC (a --param given on the command line wins).
      ...(realApi ? [] : ["--param=callbacks=true", `--param=callbackKey=${DEMO_CALLBACK_KEY}`]),
      ...(values.param ?? []).map((param) => `--param=${param}`),
    ],
    childEnv(functionEnv),
    serviceDir,
  );
  await waitForLine(offline, /Server ready:/, "that it is ready");

  const base = `http://${HOST}:${httpPort}${ROUTE}`;
  const appId = realApi ? values["sdk-app-id"] ?? "<SdkAppId>" : String(DEMO_SDK_APP_ID);
  const runningTask = realApi ? values["task-id"] ?? "<TaskId of a running relay task>" : DEMO_TASK_ID;
  const query = (taskId: string) => `${base}?SdkAppId=${encodeURIComponent(appId)}&TaskId=${encodeURIComponent(taskId)}`;
  const postBody = JSON.stringify({ SdkAppId: realApi ? appId : DEMO_SDK_APP_ID, TaskId: runningTask });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(
    [
      "",
      `Ready in ${seconds} s — ${realApi ? "against the REAL TRTC API (credentials from TENCENTCLOUD_SECRET_ID / _KEY)" : "against the local TRTC emulator"}`,
      `  Function (API Gateway HTTP API, serverless-offline): ${base}`,
      `  Lambda invoke API (AWS SDK endpoint):                http://${HOST}:${lambdaPort}`,
      ...(emulatorUrl ? [`  TRTC emulator (demo credentials, seeded task):       ${emulatorUrl}`] : []),
      "",
      `  # InProgress: ${realApi ? "a relay task that runs (--sdk-app-id / --task-id fill this in)" : "the emulator's seeded demo task"}`,
      `  curl -s -w '\\n' '${query(runningTask)}'`,
      "  # NotExist: no task has this TaskId",
      `  curl -s -w '\\n' '${query(MISSING_TASK_ID)}'`,
      "  # the same as a POST with a JSON body (add -i to see the status line and headers)",
      `  curl -s -w '\\n' -X POST '${base}' -H 'content-type: application/json' -d '${postBody}'`,
      "  # the same request as a Tencent SCF function URL delivers it (serverless-offline plays AWS only)",
      "  npm run invoke -- --event examples/events/tencent-function-url.json",
      ...(emulatorUrl ? relayStoryLines(emulatorUrl, query(runningTask)) : []),
      "",
      "Request logs follow. Press Ctrl-C to stop everything.",
      "",
    ].join("\n"),
  );
  for (const child of children) child.streaming = true;
}

main().catch((error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : error}`);
  for (const child of children) {
    if (!child.streaming && child.backlog.length) console.error(child.backlog.map((line) => `[${child.name}] ${line}`).join("\n"));
  }
  void stop(1);
});

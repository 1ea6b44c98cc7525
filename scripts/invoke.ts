/**
 * `npm run invoke`: invokes the built function once with a JSON event and prints the result as JSON on stdout
 * (the function's log line goes to stderr). Against an in-process TRTC emulator, or the real API when
 * TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY are set. Exit code: 0 ok, 1 failure result or throw, 2 usage.
 *
 *   npm run invoke -- --event examples/events/aws-http-api.json
 *   npm run invoke -- --event examples/events/tencent-function-url.json      (an SCF function URL request)
 *   npm run invoke -- --data '{"SdkAppId":1400000001,"TaskId":"demo-task-in-progress"}'
 *   npm run invoke -- '{"SdkAppId":1400000001,"TaskId":"no-such-task"}' --platform scf
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type RunningEmulator } from "../emulator";
import { recogniseEvent } from "../lib/events";
import { awsContext, scfContext } from "./lib/contexts";
import { BUNDLE_PATH, ensureBundle, hasRealCredentials } from "./lib/dev";

const USAGE = `Usage: npm run invoke -- (--event file.json | --data '<json>' | '<json>' | -) [--platform aws|scf] [--timeout 10000]
  --event - / a lone - reads the event from stdin. --platform picks the context (default: scf for Tencent function URL
  and API Gateway events, else aws) and the export (main_handler / handler). Without TENCENTCLOUD_SECRET_ID / _KEY the function talks
  to an in-process TRTC emulator (demo credentials, seeded SdkAppId 1400000001 TaskId demo-task-in-progress).`;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function readEvent(values: { event?: string; data?: string }, positionals: string[]): unknown {
  const sources = [values.event !== undefined, values.data !== undefined, positionals.length > 0].filter(Boolean).length;
  if (sources !== 1 || positionals.length > 1) usage("Give exactly one event: --event file.json, --data '<json>', a JSON argument or - for stdin.");
  let text: string;
  let origin: string;
  if (values.data !== undefined) [text, origin] = [values.data, "--data"];
  else {
    const arg = values.event ?? positionals[0]!;
    if (arg === "-") [text, origin] = [readFileSync(0, "utf8"), "stdin"];
    else if (values.event === undefined && /^\s*[[{"0-9-tfn]/.test(arg)) [text, origin] = [arg, "the argument"];
    else {
      try {
        [text, origin] = [readFileSync(arg, "utf8"), arg];
      } catch (error) {
        usage(`Cannot read ${arg}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    usage(`The event in ${origin} is not JSON: ${(error as Error).message}`);
  }
}

/** ok for a direct result's `ok`, or an HTTP response below 400 whose JSON body is not a failure. */
function succeeded(result: unknown): boolean {
  if (!result || typeof result !== "object") return false;
  const object = result as Record<string, unknown>;
  if (typeof object.statusCode === "number") {
    if (object.statusCode >= 400) return false;
    try {
      return (JSON.parse(String(object.body ?? "{}")) as { ok?: unknown }).ok !== false;
    } catch {
      return true;
    }
  }
  return object.ok === true;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        event: { type: "string", short: "e" },
        data: { type: "string", short: "d" },
        platform: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const event = readEvent(values, positionals);
  const kind = recogniseEvent(event);
  const platform = values.platform ?? (kind === "tencent-function-url" || kind === "tencent-apigw" ? "scf" : "aws");
  if (platform !== "aws" && platform !== "scf") usage(`--platform must be aws or scf, not "${platform}"`);
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) usage("--timeout must be a positive number of milliseconds");

  const buildMs = await ensureBundle(false);
  if (buildMs) console.error(`Built dist/describe-stream-ingest/index.js in ${buildMs} ms (sources changed)`);

  let emulator: RunningEmulator | undefined;
  if (hasRealCredentials()) {
    delete process.env.TRTC_ENDPOINT_URL;
    console.error("Invoking against the REAL TRTC API (credentials from TENCENTCLOUD_SECRET_ID / _KEY)");
  } else {
    emulator = await startEmulator({ quiet: true, host: "127.0.0.1", port: 0, credentials: [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }] });
    Object.assign(process.env, { TRTC_ENDPOINT_URL: emulator.url, TENCENTCLOUD_SECRET_ID: DEMO_SECRET_ID, TENCENTCLOUD_SECRET_KEY: DEMO_SECRET_KEY });
    // Emulator mode: the demo keys only (no session token, no role keys, no Secrets Manager secret).
    for (const name of ["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN", "TRTC_CREDENTIALS_SECRET_ID"]) delete process.env[name];
    console.error(`Invoking against the in-process TRTC emulator at ${emulator.url}`);
  }

  // The function logs to stdout; keep stdout for the result alone.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let result: unknown;
  let threw: unknown;
  try {
    let bundle: { handler: Handler; main_handler: Handler };
    try {
      bundle = require(BUNDLE_PATH);
    } catch (error) {
      throw new Error(`Could not load ${BUNDLE_PATH}: ${error instanceof Error ? error.message : error}`);
    }
    const handler = platform === "scf" ? bundle.main_handler : bundle.handler;
    result = await handler(event, platform === "scf" ? scfContext(timeoutMs) : awsContext(timeoutMs));
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Could not load")) {
      process.stdout.write = stdoutWrite;
      await emulator?.close();
      throw error;
    }
    threw = error;
  } finally {
    process.stdout.write = stdoutWrite;
    await emulator?.close();
  }
  if (threw !== undefined) {
    // What Lambda reports for a function that throws.
    const error = threw as Error & { code?: string };
    stdoutWrite(JSON.stringify({ errorType: error?.name ?? typeof threw, errorMessage: error?.message ?? String(threw), ...(error?.code ? { code: error.code } : {}) }, null, 2) + "\n");
    return 1;
  }
  stdoutWrite(JSON.stringify(result, null, 2) + "\n");
  return succeeded(result) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`invoke failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);

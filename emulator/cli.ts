/**
 * `npm run emulator -- --port 4566 [--host H] [--seed file.json] [--rate-limit 20] [--quiet]
 *   [--callback-url URL [--callback-key KEY]]`
 */
import { parseArgs } from "node:util";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY } from "./credentials";
import { printableUrl, resolveSettings } from "./callbacks/settings";
import type { CallbackSettings } from "./callbacks/types";
import { readSeedFile, startEmulator } from "./server";
import type { SeedTask } from "./types";
import demoTasks from "./seed/demo-tasks.json";

const USAGE = `Usage: npm run emulator -- [--port 4577] [--host 127.0.0.1] [--seed emulator/seed/demo-tasks.json] [--rate-limit 20] [--quiet]
                            [--callback-url URL [--callback-key KEY]]
  --port 0 picks a free port. Credentials: TENCENTCLOUD_SECRET_ID/KEY(/SESSION_TOKEN) from the environment, else the demo pair.
  --callback-url sends TRTC's stream-ingest callbacks (701/702) there, signed with --callback-key, else with
  TRTC_CALLBACK_KEY from the environment (1-32 letters and digits; never printed).`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function integerOption(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) fail(`--${name} must be an integer >= ${min}`);
  return value;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        "rate-limit": { type: "string" },
        quiet: { type: "boolean" },
        "callback-url": { type: "string" },
        "callback-key": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const tasks: SeedTask[] = values.seed ? readSeedFile(values.seed) : (demoTasks as SeedTask[]);
  const callbacks = callbackOptions(values["callback-url"], values["callback-key"]);
  const usingEnvKeys = Boolean(process.env.TENCENTCLOUD_SECRET_ID && process.env.TENCENTCLOUD_SECRET_KEY);
  const emulator = await startEmulator({
    port: integerOption(values.port, "port", 4577, 0),
    host: values.host,
    seedFile: "",
    rateLimitPerSecond: integerOption(values["rate-limit"], "rate-limit", 20, 1),
    quiet: values.quiet,
  });

  console.log(`TRTC emulator listening on ${emulator.url}`);
  console.log(
    usingEnvKeys
      ? `Credentials: the SecretId from TENCENTCLOUD_SECRET_ID`
      : `Credentials: demo pair SecretId=${DEMO_SECRET_ID} SecretKey=${DEMO_SECRET_KEY}`,
  );
  // Seeded before callbacks are turned on: these tasks were already running, so no start event is sent for them.
  const seeded = tasks.map((task) => ({ SdkAppId: task.SdkAppId, TaskId: emulator.seedTask(task) }));
  for (const task of seeded) console.log(`Seeded task SdkAppId=${task.SdkAppId} TaskId=${task.TaskId}`);
  console.log(`Control endpoint: ${emulator.url}/_emulator/health`);
  if (callbacks) {
    emulator.configureCallbacks(callbacks);
    const source = values["callback-key"] !== undefined ? "--callback-key" : "TRTC_CALLBACK_KEY";
    console.log(`Callbacks: stream-ingest events POST to ${printableUrl(new URL(callbacks.url))}, signed with the key from ${source}`);
  } else {
    console.log("Callbacks: off (--callback-url to send them)");
  }
  const example = seeded[0] ?? { SdkAppId: 1400000001, TaskId: "my-task" };
  console.log(`Stop a task without signing (sends its 702): curl -X POST ${emulator.url}/_emulator/tasks/stop -d '${JSON.stringify(example)}'`);

  const shutdown = () => {
    emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

/** The callback settings from the flags (key from TRTC_CALLBACK_KEY if not given); checked, never echoing the key. */
function callbackOptions(url: string | undefined, key: string | undefined): CallbackSettings | undefined {
  if (url === undefined) {
    if (key !== undefined) fail("--callback-key needs --callback-url");
    return undefined;
  }
  const settings = { url, key: key ?? process.env.TRTC_CALLBACK_KEY ?? "" };
  if (!settings.key) fail("--callback-url needs --callback-key (or TRTC_CALLBACK_KEY in the environment)");
  try {
    resolveSettings(settings);
  } catch (error) {
    fail((error as Error).message.replace(/^callbacks\.(\w+)/, (_, name: string) => `--callback-${name}`));
  }
  return settings;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/** `npm run emulator -- --port 4566 [--host H] [--seed file.json] [--rate-limit 20] [--quiet]` */
import { parseArgs } from "node:util";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY } from "./credentials";
import { readSeedFile, startEmulator } from "./server";
import type { SeedTask } from "./types";
import demoTasks from "./seed/demo-tasks.json";

const USAGE = `Usage: npm run emulator -- [--port 4577] [--host 127.0.0.1] [--seed emulator/seed/demo-tasks.json] [--rate-limit 20] [--quiet]
  --port 0 picks a free port. Credentials: TENCENTCLOUD_SECRET_ID/KEY(/SESSION_TOKEN) from the environment, else the demo pair.`;

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
  for (const task of tasks) console.log(`Seeded task SdkAppId=${task.SdkAppId} TaskId=${emulator.seedTask(task)}`);
  console.log(`Control endpoint: ${emulator.url}/_emulator/health`);

  const shutdown = () => {
    emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * Child (under tsx): hosts the benchmark's emulators in a process of their own, so that neither the measured
 * programs nor bench/run.ts (which drains the children's log pipes) share an event loop with them. run.ts drives it
 * over IPC: { id, command: "stats" | "reset" | "seed", emulator, tasks? } → { id, reply }.
 *
 *   fast, fastBaseline  no effective rate limit: speed and memory figures (two identical instances, so that the
 *                       function's and the bare SDK's connections are counted apart)
 *   limited             the documented 20 requests per second: rate-limit figures
 */
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type CallbackSettings, type RunningEmulator, type SeedTask } from "../emulator";

interface Command {
  id: number;
  command: "stats" | "reset" | "seed" | "seedTimed" | "callbacks" | "callbackLog" | "callbacksIdle" | "requestLog" | "close";
  emulator: string;
  tasks?: SeedTask[];
  callbacks?: CallbackSettings;
}

async function run(emulator: RunningEmulator, message: Command): Promise<unknown> {
  switch (message.command) {
    case "stats": {
      const { log: _log, ...stats } = emulator.stats();
      return stats;
    }
    case "reset":
      emulator.resetStats();
      return true;
    case "seed":
      return (message.tasks ?? []).map((task) => emulator.seedTask(task));
    case "seedTimed":
      return (message.tasks ?? []).map((task) => {
        const seededAt = Date.now();
        return { taskId: emulator.seedTask(task), seededAt };
      });
    case "callbacks":
      emulator.configureCallbacks(message.callbacks);
      return true;
    case "callbackLog":
      return emulator.callbackLog();
    case "callbacksIdle":
      return emulator.callbacksIdle().then(() => true);
    case "requestLog":
      return emulator.stats().log;
    default:
      return { error: `unknown command ${message.command}` };
  }
}

async function main(): Promise<void> {
  const credentials = [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }];
  const emulators: Record<string, RunningEmulator> = {
    fast: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 1_000_000_000 }),
    fastBaseline: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 1_000_000_000 }),
    limited: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 20 }),
    relays: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 20, seedFile: "" }),
  };
  process.on("message", async (message: Command) => {
    const emulator = emulators[message.emulator];
    if (message.command === "close") {
      await Promise.all(Object.values(emulators).map((e) => e.close()));
      process.send!({ id: message.id, reply: true }, () => process.exit(0));
      return;
    }
    const reply = emulator ? await run(emulator, message) : { error: `no emulator ${message.emulator}` };
    process.send!({ id: message.id, reply });
  });
  process.send!({ type: "listening", urls: Object.fromEntries(Object.entries(emulators).map(([name, e]) => [name, e.url])) });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

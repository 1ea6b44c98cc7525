/**
 * Child (under tsx): hosts the benchmark's emulators in a process of their own, so that neither the measured
 * programs nor bench/run.ts (which drains the children's log pipes) share an event loop with them. run.ts drives it
 * over IPC: { id, command: "stats" | "reset" | "seed", emulator, tasks? } → { id, reply }.
 *
 *   fast, fastBaseline  no effective rate limit: speed and memory figures (two identical instances, so that the
 *                       function's and the bare SDK's connections are counted apart)
 *   limited             the documented 20 requests per second: rate-limit figures
 */
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type RunningEmulator, type SeedTask } from "../emulator";

interface Command {
  id: number;
  command: "stats" | "reset" | "seed" | "close";
  emulator: string;
  tasks?: SeedTask[];
}

async function main(): Promise<void> {
  const credentials = [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }];
  const emulators: Record<string, RunningEmulator> = {
    fast: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 1_000_000_000 }),
    fastBaseline: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 1_000_000_000 }),
    limited: await startEmulator({ quiet: true, credentials, rateLimitPerSecond: 20 }),
  };
  process.on("message", async (message: Command) => {
    const emulator = emulators[message.emulator];
    let reply: unknown;
    if (message.command === "close") {
      await Promise.all(Object.values(emulators).map((e) => e.close()));
      process.send!({ id: message.id, reply: true }, () => process.exit(0));
      return;
    }
    if (!emulator) reply = { error: `no emulator ${message.emulator}` };
    else if (message.command === "stats") {
      const { log: _log, ...stats } = emulator.stats();
      reply = stats;
    } else if (message.command === "reset") {
      emulator.resetStats();
      reply = true;
    } else if (message.command === "seed") {
      reply = (message.tasks ?? []).map((task) => emulator.seedTask(task));
    }
    process.send!({ id: message.id, reply });
  });
  process.send!({ type: "listening", urls: Object.fromEntries(Object.entries(emulators).map(([name, e]) => [name, e.url])) });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

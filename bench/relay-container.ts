/**
 * Child for the relays figure: one container of the fleet. Loads the bundle (its environment configures it: the
 * emulator, the fleet's Redis, the callback key or none), says "ready", then runs every invocation bench/run.ts
 * sends — waits and callbacks alike, concurrently, as the same warm instance would be handed them — and answers
 * each with when it started and when it was answered (this machine's one clock, the emulator's too). On "stop" it
 * reports how many it ran and exits.
 *
 *   { type: "invoke", id, event, remainingMs } → { type: "answer", id, result, startedAt, answeredAt }
 *   { type: "stop" }                           → result { invocations }
 */
import { awsContext, env, fail, report, type Handler } from "./support";

function main(): void {
  const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
  let invocations = 0;
  process.on("message", async (message: any) => {
    if (message?.type === "stop") return report({ invocations });
    if (message?.type !== "invoke") return;
    invocations++;
    const startedAt = Date.now();
    // The handler never throws (the contract); should it, the answer says so rather than the process dying.
    const result = await handler(message.event, awsContext(message.remainingMs)).catch((error: unknown) => ({ ok: false, error: { code: "BenchHandlerThrew", message: String(error) } }));
    process.send!({ type: "answer", id: message.id, result, startedAt, answeredAt: Date.now() });
  });
  process.send!({ type: "ready" });
}

try {
  main();
} catch (error) {
  fail(error);
}

/** What an invocation must not leave behind, counted in this process (the function runs in it, as on a warm container). */
import net from "node:net";

/** Open sockets this process holds to `port` (the function's side of its connections to the emulator). */
export function clientSocketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof net.Socket && !h.destroyed && h.remotePort === port).length;
}

/** Timers pending in this process. */
export const pendingTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

export const tick = () => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

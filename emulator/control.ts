/** The control endpoint under /_emulator/: unsigned JSON, for tests and humans; not counted in stats. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./envelope";
import type { RunningEmulator } from "./types";

export const CONTROL_PREFIX = "/_emulator/";

type Route = (emulator: RunningEmulator, body: unknown) => unknown;

const ROUTES: Record<string, Route> = {
  "GET health": () => ({ ok: true }),
  "GET stats": (emulator) => emulator.stats(),
  "POST reset": (emulator) => (emulator.resetStats(), { ok: true }),
  "POST faults": (emulator, body) => (emulator.addFault(body as never), { ok: true }),
  "DELETE faults": (emulator) => (emulator.clearFaults(), { ok: true }),
  "POST tasks": (emulator, body) => ({ TaskId: emulator.seedTask(body as never) }),
  "POST credentials": (emulator, body) => (emulator.addCredential(body as never), { ok: true }),
  "POST credentials/expire": (emulator, body) => (emulator.expireToken((body as { secretId?: string })?.secretId ?? ""), { ok: true }),
};

export function handleControlRequest(emulator: RunningEmulator, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const name = (req.url ?? "").split("?")[0].slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  const route = ROUTES[`${req.method} ${name}`];
  if (!route) {
    sendJson(res, 404, { error: `no control route ${req.method} ${CONTROL_PREFIX}${name}` });
    return;
  }
  let input: unknown;
  try {
    input = body.length ? JSON.parse(body.toString("utf8")) : undefined;
  } catch {
    sendJson(res, 400, { error: "the body is not JSON" });
    return;
  }
  try {
    sendJson(res, 200, route(emulator, input));
  } catch (error) {
    sendJson(res, 400, { error: (error as Error).message });
  }
}

/** The control endpoint under /_emulator/: unsigned JSON, for tests and humans; not counted in stats. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./envelope";
import { isSdkAppId, isTaskId } from "./params";
import type { RunningEmulator } from "./types";

export const CONTROL_PREFIX = "/_emulator/";

type Route = (emulator: RunningEmulator, body: unknown) => unknown;

/** A control request that cannot be done, answered with its own HTTP status. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `{SdkAppId, TaskId}` of a running task, from a control body. */
function taskRef(body: unknown): { sdkAppId: number; taskId: string } {
  const { SdkAppId, TaskId } = (body ?? {}) as { SdkAppId?: unknown; TaskId?: unknown };
  if (!isSdkAppId(SdkAppId)) throw new TypeError("SdkAppId must be an integer from 1 to 4294967295");
  if (!isTaskId(TaskId)) throw new TypeError("TaskId must be 1-256 visible ASCII characters");
  return { sdkAppId: SdkAppId, taskId: TaskId };
}

function requireRunning(found: boolean): { ok: true } {
  if (!found) throw new ControlError(404, "no such task runs for that SdkAppId");
  return { ok: true };
}

const ROUTES: Record<string, Route> = {
  "GET health": () => ({ ok: true }),
  "GET stats": (emulator) => emulator.stats(),
  "POST reset": (emulator) => (emulator.resetStats(), { ok: true }),
  "POST faults": (emulator, body) => (emulator.addFault(body as never), { ok: true }),
  "DELETE faults": (emulator) => (emulator.clearFaults(), { ok: true }),
  "POST tasks": (emulator, body) => ({ TaskId: emulator.seedTask(body as never) }),
  "POST tasks/stop": (emulator, body) => {
    const { sdkAppId, taskId } = taskRef(body);
    return requireRunning(emulator.stopTask(sdkAppId, taskId));
  },
  "POST tasks/restart": (emulator, body) => {
    const { sdkAppId, taskId } = taskRef(body);
    return requireRunning(emulator.restartTask(sdkAppId, taskId, { ms: (body as { ms?: number }).ms }));
  },
  "POST credentials": (emulator, body) => (emulator.addCredential(body as never), { ok: true }),
  "POST credentials/expire": (emulator, body) => (emulator.expireToken((body as { secretId?: string })?.secretId ?? ""), { ok: true }),
  "GET callbacks": (emulator) => ({ ...emulator.callbackSettings(), log: emulator.callbackLog() }),
  "POST callbacks": (emulator, body) => {
    if (!body || typeof body !== "object") throw new TypeError("the body must be {url, key}; DELETE turns callbacks off");
    emulator.configureCallbacks(body as never);
    return emulator.callbackSettings();
  },
  "DELETE callbacks": (emulator) => (emulator.configureCallbacks(undefined), emulator.callbackSettings()),
  "POST callbacks/faults": (emulator, body) => (emulator.addCallbackFault(body as never), { ok: true }),
  "DELETE callbacks/faults": (emulator) => (emulator.clearCallbackFaults(), { ok: true }),
  // Long-polls: answers once no callback is pending (for tests that drive the emulator over HTTP).
  "GET callbacks/idle": async (emulator) => (await emulator.callbacksIdle(), { idle: true }),
};

export async function handleControlRequest(emulator: RunningEmulator, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
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
    sendJson(res, 200, await route(emulator, input));
  } catch (error) {
    sendJson(res, error instanceof ControlError ? error.status : 400, { error: (error as Error).message });
  }
}

/** Helpers shared by the local dev loop scripts (scripts/start.ts, scripts/invoke.ts). */
import { readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { BUNDLE_PATH, buildBundle } from "../../build/build";

export const ROOT = join(__dirname, "..", "..");
export const DEMO_SDK_APP_ID = 1400000001;
export const DEMO_TASK_ID = "demo-task-in-progress";
export const MISSING_TASK_ID = "no-such-task";
export const ROUTE = "/stream-ingest/status";
export const CALLBACK_ROUTE = "/stream-ingest/callback";
/** The key the local emulator signs its callbacks with and the local function checks them with (public: local only). */
export const DEMO_CALLBACK_KEY = "LocalEmulatorDemoCallbackKey0000";

/** Real-API mode: both keys of the SDK's explicit credential pair are set (non-empty). */
export function hasRealCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.TENCENTCLOUD_SECRET_ID?.trim() && env.TENCENTCLOUD_SECRET_KEY?.trim());
}

/** A port the OS says is free right now (0 → ask the OS). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `requested` if it is a port number > 0, else a free port. Throws on garbage. */
export async function portOrFree(requested: string | undefined, name: string, host = "127.0.0.1"): Promise<number> {
  const raw = requested?.trim();
  if (!raw || raw === "0") return freePort(host);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (0 = pick a free one), not "${raw}"`);
  return port;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when the bundle is missing or older than any source it is built from. */
export function bundleIsStale(): boolean {
  let built: number;
  try {
    built = statSync(BUNDLE_PATH).mtimeMs;
  } catch {
    return true;
  }
  const sources = ["functions", "lib", "build"].map((dir) => newestMtime(join(ROOT, dir)));
  return Math.max(...sources, statSync(join(ROOT, "package-lock.json")).mtimeMs) > built;
}

/** Builds dist/describe-stream-ingest/index.js (always, or only when stale); returns the ms spent. */
export async function ensureBundle(always: boolean): Promise<number> {
  if (!always && !bundleIsStale()) return 0;
  const started = Date.now();
  await buildBundle();
  return Date.now() - started;
}

export { BUNDLE_PATH };

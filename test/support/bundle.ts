/**
 * Loads the built bundle (dist/describe-stream-ingest/index.js) the way a platform does: a fresh module instance,
 * configured by the environment at load time. Each vitest file runs in its own process, so environment changes
 * stay within the file.
 */
import { createRequire } from "node:module";
import { join } from "node:path";

export const BUNDLE = join(__dirname, "..", "..", "dist", "describe-stream-ingest", "index.js");

export type Handler = (event: unknown, context?: unknown) => Promise<any>;
export interface Bundle {
  handler: Handler;
  main_handler: Handler;
}

const requireFromHere = createRequire(__filename);

/** Sets `env` in process.env (undefined deletes a variable). */
export function setEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** Sets `env` (undefined deletes a variable) and loads a fresh copy of the bundle, as a cold start would. */
export function loadBundle(env: Record<string, string | undefined> = {}): Bundle {
  setEnv(env);
  delete requireFromHere.cache[BUNDLE];
  return requireFromHere(BUNDLE) as Bundle;
}

/** The platforms' context objects (shared with npm run invoke). */
export { awsContext, minimalScfContext, scfContext } from "../../scripts/lib/contexts";

/** Captures what the function writes to stdout (its log lines) while `fn` runs. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), lines };
  } finally {
    process.stdout.write = original;
  }
}

/** The value of `fn` with the function's log lines dropped (they would fill the test output). */
export const quietly = <T>(fn: () => Promise<T>): Promise<T> => captureStdout(fn).then(({ value }) => value);

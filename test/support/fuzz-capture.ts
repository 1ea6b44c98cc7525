/**
 * Capturing everything the function lets out (stdout, stderr, console), and scanning text for secrets.
 * Broader than bundle.ts captureStdout: a leak through console.error or stderr must be seen too.
 */
import { format, inspect } from "node:util";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

/** Runs `fn` with stdout, stderr and console captured; returns what it wrote, one entry per line. */
export async function captureAll<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const push = (text: string) => lines.push(...text.split("\n").filter(Boolean));
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  const consoleOriginals = CONSOLE_METHODS.map((m) => console[m]);
  const sink = ((chunk: string | Uint8Array) => {
    push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = sink;
  process.stderr.write = sink;
  for (const m of CONSOLE_METHODS) console[m] = (...args: unknown[]) => push(format(...args));
  try {
    return { value: await fn(), lines };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    CONSOLE_METHODS.forEach((m, i) => (console[m] = consoleOriginals[i]!));
  }
}

/** Text of a thrown value as an operator could see it: message, stack, own properties and causes. */
export const textOfThrown = (thrown: unknown): string => inspect(thrown, { depth: 8, showHidden: true });

/**
 * Occurrences of each secret in `text`, also of a 12-character head or tail of it (a leak through `.slice(0, n)`
 * is still a leak).
 */
export function countSecrets(text: string, secrets: readonly string[]): number {
  let found = 0;
  for (const secret of secrets) {
    for (const needle of new Set([secret, secret.slice(0, 12), secret.slice(-12)])) {
      found += text.split(needle).length - 1;
    }
  }
  return found;
}

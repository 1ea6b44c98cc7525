/**
 * Capturing everything the function lets out (stdout, stderr, console), and scanning text for secrets.
 * Broader than bundle.ts captureStdout: a leak through console.error or stderr must be seen too.
 */
import { format, inspect } from "node:util";
import fc from "fast-check";

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

export interface CapturedInvocation {
  value: any;
  lines: string[];
  thrown: unknown;
  threw: boolean;
}

/** Runs one invocation with its output captured; an exception is returned, never let out. */
export async function invokeCaptured(entry: (event: unknown, context: unknown) => Promise<unknown>, event: unknown, context: unknown): Promise<CapturedInvocation> {
  let thrown: unknown;
  let threw = false;
  const { value, lines } = await captureAll(async () => {
    try {
      return await entry(event, context);
    } catch (error) {
      threw = true;
      thrown = error;
      return undefined;
    }
  });
  return { value, lines, thrown, threw };
}

/** Everything a caller or operator can see of one invocation: its log lines, its answer, what it threw. */
export const visibleText = (run: CapturedInvocation): string[] => [...run.lines, JSON.stringify(run.value) ?? "", run.threw ? textOfThrown(run.thrown) : ""];

/** fast-check's assert with a compact report: its default prints the whole (possibly 200 KB) counterexample. */
export function assertFuzz<T>(arb: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns: number, seed?: number): Promise<void> {
  const reporter = (details: fc.RunDetails<[T]>) => {
    if (!details.failed) return;
    const example = JSON.stringify(details.counterexample?.[0]) ?? String(details.counterexample?.[0]);
    throw new Error(
      `fuzz failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}):\n` +
        `event: ${example.length > 2000 ? `${example.slice(0, 2000)}… (${example.length} chars)` : example}\n${String(details.errorInstance).slice(0, 3000)}`,
    );
  };
  return fc.assert(fc.asyncProperty(arb, check), { numRuns, seed, endOnFailure: true, reporter });
}

/**
 * Capturing everything the function lets out (stdout, stderr, console), and scanning text for secrets.
 * Broader than bundle.ts captureStdout: a leak through console.error or stderr must be seen too.
 */
import { format, inspect, isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { expect } from "vitest";

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

/**
 * expect(actual, message).toBe / toEqual / toMatchObject / toHaveLength / not.toHaveProperty for the fuzz loops,
 * where each case makes a dozen checks: each is first made with a plain comparison, and only one that fails goes on
 * to expect(), which then fails with its usual message. An expect() call costs some 8 µs of vitest's bookkeeping;
 * in the hardening fuzz's 13,500 cases that was 1.2-1.4 CPU-s. Every check that passes here would pass in expect()
 * too (deep strict equality implies toEqual; own keys and asymmetric matchers are checked as toMatchObject checks
 * them): test/unit/cheap-expect.test.ts compares the two.
 */
export function cheapExpect(actual: unknown, message?: string) {
  return {
    toBe(expected: unknown): void {
      if (!Object.is(actual, expected)) expect(actual, message).toBe(expected);
    },
    toEqual(expected: unknown): void {
      if (!matches(actual, expected, false)) expect(actual, message).toEqual(expected);
    },
    toMatchObject(expected: object): void {
      if (!matches(actual, expected, true)) expect(actual, message).toMatchObject(expected);
    },
    toHaveLength(length: number): void {
      if ((actual as { length?: unknown } | null | undefined)?.length !== length) expect(actual, message).toHaveLength(length);
    },
    /** expect(actual).not.toHaveProperty(name) */
    notToHaveProperty(name: string): void {
      if (actual === null || actual === undefined || name in Object(actual)) expect(actual, message).not.toHaveProperty(name);
    },
  };
}

const isAsymmetricMatcher = (value: unknown): value is { asymmetricMatch(other: unknown): boolean } =>
  typeof value === "object" && value !== null && typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === "function";
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
/** The same number of own enumerable keys, and no symbol keys (which expect() compares too). */
const sameKeyCount = (a: object, b: object) =>
  Object.keys(a).length === Object.keys(b).length && Object.getOwnPropertySymbols(a).length === 0 && Object.getOwnPropertySymbols(b).length === 0;

/**
 * True when `actual` surely equals `expected` (or, with `subset`, has its properties): deep strict equality, with
 * expect's asymmetric matchers (expect.any, …) at any depth. False may still be equal to expect(): it decides then.
 */
function matches(actual: unknown, expected: unknown, subset: boolean): boolean {
  if (isAsymmetricMatcher(expected)) return expected.asymmetricMatch(actual);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length || !sameKeyCount(actual, expected)) return false;
    return expected.every((item, i) => matches(actual[i], item, subset));
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual) || (!subset && !sameKeyCount(actual, expected))) return false;
    return Object.keys(expected).every((key) => Object.hasOwn(actual, key) && matches(actual[key], expected[key], subset));
  }
  return isDeepStrictEqual(actual, expected);
}

/**
 * Temporary credentials that rotate while the container lives. SCF injects a role's keys as
 * TENCENTCLOUD_SECRETID / SECRETKEY / SESSIONTOKEN and replaces them before they expire; the next warm invocation
 * must sign with the new ones (no cold start), and an expired token (AuthFailure.TokenFailure) must make the
 * function re-read its credentials and retry once, then give up. Secrets Manager rotation: test/deploy/secrets-manager.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { captureAll, countSecrets, textOfThrown } from "../support/fuzz-capture";

const generation = (n: number) => ({
  secretId: `AKIDrotation${n}000000000000000000000`,
  secretKey: `RotationKey${n}-f3a9c1e7b5d2`,
  token: `RotationToken${n}-8e1f4a7c2b9d6e3f0a5c`,
});
const ROLE = ["TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"] as const;
const EXPLICIT = ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"] as const;

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let generationCounter = 0;
const allSecrets: string[] = [];
const output: string[] = [];

beforeAll(async () => {
  ({ emulator, env } = await startTestEmulator({ credentials: [] }));
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(async () => {
  await emulator?.close();
  const found = output.reduce((sum, text) => sum + countSecrets(text, allSecrets), 0);
  console.log(`[hardening/credentials] ${generationCounter} key generations rotated, secrets found in output: ${found}`);
});

/** A fresh temporary credential the emulator accepts. */
function issue() {
  const credential = generation(++generationCounter);
  emulator.addCredential(credential);
  allSecrets.push(credential.secretKey, credential.token);
  return credential;
}

/** Puts a credential where the platform would: the role variables (SCF) or the explicit ones. */
function install(names: typeof ROLE | typeof EXPLICIT, credential: ReturnType<typeof generation>) {
  process.env[names[0]] = credential.secretId;
  process.env[names[1]] = credential.secretKey;
  process.env[names[2]] = credential.token;
}

async function invoke(fn: Bundle, context: unknown = scfContext(10_000)) {
  const { value, lines } = await captureAll(() => fn.main_handler({ SdkAppId: APP, TaskId: DEMO_TASK }, context).catch((error) => ({ thrown: textOfThrown(error) })));
  output.push(JSON.stringify(value), ...lines);
  for (const text of [JSON.stringify(value), ...lines]) expect(countSecrets(text, allSecrets), "a key or token in the output").toBe(0);
  return value;
}

describe.each([
  ["SCF role keys (TENCENTCLOUD_SECRETID / SECRETKEY / SESSIONTOKEN)", ROLE, EXPLICIT],
  ["explicit keys (TENCENTCLOUD_SECRET_ID / SECRET_KEY / SESSION_TOKEN)", EXPLICIT, ROLE],
] as const)("%s", (_name, names, others) => {
  let fn: Bundle;
  let current: ReturnType<typeof generation>;

  beforeAll(() => {
    current = issue();
    const unset = Object.fromEntries([...ROLE, ...EXPLICIT].map((n) => [n, undefined]));
    fn = loadBundle({ ...env, ...unset, LOG_LEVEL: "debug" });
    install(names, current);
    for (const other of others) delete process.env[other];
  });

  it("rotated keys are used by the next warm invocation, without a cold start", async () => {
    expect(await invoke(fn)).toMatchObject({ ok: true, status: "InProgress" });
    for (let round = 0; round < 3; round++) {
      const next = issue();
      emulator.expireToken(current.secretId); // the old token stops working at once: only the new keys can succeed
      install(names, next);
      current = next;
      emulator.resetStats();
      expect(await invoke(fn, round % 2 ? awsContext(10_000) : scfContext(10_000))).toMatchObject({ ok: true, status: "InProgress" });
      expect(emulator.stats().log).toEqual([expect.objectContaining({ token: true, status: "InProgress" })]); // first try, no TokenFailure
    }
  });

  it("an expired token is re-read and retried once: keys replaced while the first attempt was in flight succeed", async () => {
    const next = issue();
    emulator.expireToken(current.secretId);
    // The first request is signed with the old keys and held 400 ms; meanwhile the platform rotates them.
    emulator.addFault({ fault: { type: "latency", ms: 400 }, times: 1 });
    const rotate = setTimeout(() => install(names, next), 150);
    const result = await invoke(fn);
    clearTimeout(rotate);
    current = next;
    expect(result).toMatchObject({ ok: true, status: "InProgress" });
    expect(emulator.stats().log.map((entry) => entry.code ?? entry.status)).toEqual(["AuthFailure.TokenFailure", "InProgress"]);
  });

  it("a token that stays expired is retried once, then answered as AuthFailure.TokenFailure (not retryable)", async () => {
    emulator.expireToken(current.secretId);
    const result = await invoke(fn);
    expect(result).toMatchObject({ ok: false, error: { code: "AuthFailure.TokenFailure", retryable: false } });
    expect(emulator.stats().log.map((entry) => entry.code)).toEqual(["AuthFailure.TokenFailure", "AuthFailure.TokenFailure"]);
    // Recovery needs no cold start either.
    current = issue();
    install(names, current);
    emulator.resetStats();
    expect(await invoke(fn)).toMatchObject({ ok: true });
    expect(emulator.stats().requests).toBe(1);
  });
});

it("the scanner each invocation's output goes through sees a key or token, whole or cut", () => {
  const credential = generation(0);
  expect(countSecrets(`x${credential.secretKey}x`, [credential.secretKey])).toBeGreaterThan(0);
  expect(countSecrets(`${credential.token.slice(0, 14)}…`, [credential.token])).toBeGreaterThan(0);
});

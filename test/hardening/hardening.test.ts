/**
 * Hostile input and upstream faults in one process, so that one distinctive secret key and token run through the
 * fuzz suite and the whole upstream fault matrix, and every byte the function lets out is searched for them.
 *
 * - Fuzz: ≥10,000 hostile events of every kind against the built bundle; the expected answer comes from an
 *   independent oracle (test/support/fuzz-oracle.ts); invalid input must cause zero upstream requests.
 * - Fault matrix: every API-level fault the emulator injects (the transport's own are in transport.test.ts): the
 *   documented code and retryable, an answer before the deadline (on AWS- and SCF-shaped contexts where the clock
 *   matters), no timer or socket left behind for the next invocation.
 * - Secrets: neither the secret key nor the token appears in logs, responses or thrown errors (checked on each).
 * The figures are printed at the end.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultRule, RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, minimalScfContext, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent, lowerCased } from "../support/events";
import { clientSocketsTo, pendingTimers, sleep, tick } from "../support/leaks";
import { assertFuzz, cheapExpect, countSecrets, invokeCaptured, textOfThrown, visibleText } from "../support/fuzz-capture";
import { bigBodyArb, directEvent, FUZZ_ALLOWED, httpEventArb, nonObjectEvent, type HttpKindName } from "../support/fuzz-events";
import { expectFor } from "../support/fuzz-oracle";

// Distinctive temporary credentials: the emulator accepts only these, so every answered call was signed with them.
const SECRET_ID = "AKIDhardeningIssue7000000000000000";
const SECRET_KEY = "Hk7SecretKey-q9Zx4Wv2Lm8Rt6Yp3Nc5";
const TOKEN = "Hk7SessionToken-a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0";
const SECRETS = [SECRET_KEY, TOKEN];

const ALLOWED = new Set(FUZZ_ALLOWED.split(",").map(Number));
const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const figures = { fuzzCases: 0, upstreamForInvalid: 0, upstreamForValid: 0, faultsSurvived: 0, faultRuns: 0, secretsFound: 0, scannedBytes: 0 };

let emulator: RunningEmulator;
let fn: Bundle;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  let env: Record<string, string | undefined>;
  // No rate limit on either side: the fuzz asks thousands of times in a row, and pacing is proven elsewhere
  // (test/fleet, test/workflow/batch.test.ts); here it would only make the suite wait.
  ({ emulator, env } = await startTestEmulator({ credentials: [{ secretId: SECRET_ID, secretKey: SECRET_KEY, token: TOKEN }], rateLimitPerSecond: 1_000_000 }));
  fn = loadBundle({
    ...env,
    TRTC_RATE_LIMIT_PER_SECOND: "1000000",
    TENCENTCLOUD_SECRET_ID: SECRET_ID,
    TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
    TENCENTCLOUD_SESSION_TOKEN: TOKEN,
    TRTC_ALLOWED_SDK_APP_IDS: FUZZ_ALLOWED,
    TRTC_ATTEMPT_TIMEOUT_MS: "1000",
    LOG_LEVEL: "debug", // everything the function can say is said, and searched
  });
});
afterAll(async () => {
  await emulator?.close();
  console.log(
    `[hardening] fuzz cases: ${figures.fuzzCases}, upstream requests for invalid input: ${figures.upstreamForInvalid}` +
      ` (valid input: ${figures.upstreamForValid}), faults survived: ${figures.faultsSurvived}/${figures.faultRuns},` +
      ` secrets found in output: ${figures.secretsFound} (${(figures.scannedBytes / 1e6).toFixed(1)} MB scanned)`,
  );
});


/** Everything a caller or operator can see of one invocation goes through here. */
function scan(...texts: string[]): void {
  for (const text of texts) {
    figures.scannedBytes += text.length;
    const found = countSecrets(text, SECRETS);
    figures.secretsFound += found;
    cheapExpect(found, "a secret key or token in the output").toBe(0);
  }
}

/** Runs one invocation with output captured (an exception is returned) and scans all of it for the secrets. */
async function invoke(entry: Bundle["handler"], event: unknown, context: unknown) {
  const run = await invokeCaptured(entry, event, context);
  scan(...visibleText(run));
  return run;
}

describe("fuzz: hostile events never reach TRTC and get the contract's failure", () => {
  let n = 0;

  // cheapExpect: expect() only for a check that fails (a dozen checks in each of 13,500 cases).
  async function check(event: unknown): Promise<void> {
    const expected = expectFor(event, ALLOWED);
    const requestId = `fuzz-${++n}`;
    const aws = n % 2 === 0;
    const { value, lines, thrown, threw } = await invoke(aws ? fn.handler : fn.main_handler, event, aws ? awsContext(10_000, requestId) : scfContext(10_000, requestId));
    const upstream = emulator.stats();
    if (upstream.requests > 0) emulator.resetStats(); // keeps stats() cheap: its log stays near empty
    figures.fuzzCases++;
    if (expected.code) figures.upstreamForInvalid += upstream.requests;
    else figures.upstreamForValid += upstream.requests;

    let payload: any;
    if (expected.throws) {
      // Documented: a direct invocation with throwOnError gets a typed error (name = code, message = payload).
      cheapExpect(threw, "throwOnError invocation throws").toBe(true);
      cheapExpect((thrown as Error).name).toBe(expected.code);
      payload = JSON.parse((thrown as Error).message);
    } else {
      cheapExpect(threw ? textOfThrown(thrown) : "no exception").toBe("no exception");
      if (expected.http) {
        cheapExpect(value.statusCode).toBe(expected.status);
        const headers = lowerCased(value.headers);
        cheapExpect(headers).toMatchObject({ "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" });
        cheapExpect(Object.keys(headers).filter((h) => h.startsWith("access-control-"))).toEqual([]); // CORS off by default
        payload = JSON.parse(value.body);
      } else {
        cheapExpect(value).notToHaveProperty("statusCode");
        payload = value;
      }
    }

    if (expected.code) {
      cheapExpect(upstream.requests, "invalid input reached TRTC").toBe(0);
      cheapExpect(payload).toEqual({
        ok: false,
        sdkAppId: expected.sdkAppId,
        taskId: expected.taskId,
        error: { code: expected.code, message: expect.any(String), retryable: false },
        requestId: null,
      });
    } else {
      cheapExpect(upstream.requests).toBe(1);
      cheapExpect(upstream.log[0]?.traceId).toBe(requestId);
      const running = expected.sdkAppId === APP && expected.taskId === DEMO_TASK;
      cheapExpect(payload).toMatchObject({ ok: true, sdkAppId: expected.sdkAppId, taskId: expected.taskId, status: running ? "InProgress" : "NotExist", running });
    }

    // One structured log line per invocation, with this invocation's id and outcome.
    cheapExpect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    cheapExpect(line).toMatchObject({ requestId, outcome: expected.code ?? payload.status, level: expected.code ? "warn" : "info" });
  }

  const property = (arb: fc.Arbitrary<unknown>, numRuns: number) => assertFuzz(arb, check, numRuns, FUZZ_SEED);

  it("direct invocations and look-alike shapes (3,500 cases)", () => property(directEvent, 3500), 120_000);
  it("events that are not JSON objects (500 cases)", () => property(nonObjectEvent, 500), 60_000);
  it.each<[HttpKindName, number]>([
    ["aws-rest", 2000],
    ["aws-http", 2000],
    ["function-url", 1500],
    ["tencent-function-url", 1500],
    ["tencent-apigw", 2000],
  ])("%s events: methods, query, path, bodies (%i cases)", (kind, runs) => property(httpEventArb(kind), runs), 120_000);
  it("bodies at and past the 64 KB limit, plain and base64 (500 cases)", () =>
    property(fc.constantFrom<HttpKindName>("aws-rest", "aws-http", "function-url", "tencent-function-url", "tencent-apigw").chain((kind) => httpEventArb(kind, bigBodyArb)), 500), 120_000);

  it("left Object.prototype as it was, and tried at least 10,000 cases with no upstream request for invalid input", () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).SdkAppId).toBeUndefined();
    expect(({} as Record<string, unknown>).TaskId).toBeUndefined();
    expect(figures.fuzzCases).toBeGreaterThanOrEqual(10_000);
    expect(figures.upstreamForInvalid).toBe(0);
    expect(figures.upstreamForValid).toBeGreaterThan(0); // the oracle's valid cases did reach TRTC: the harness can see requests
  });
});

/** Sockets this process holds to the emulator (the function's side). */
const clientSockets = () => clientSocketsTo(emulator.port);

interface FaultCase {
  name: string;
  rule: FaultRule;
  /** Context time limit. */
  budgetMs: number;
  /** Expected failure code (README error table), or undefined for an answered status after recovery. */
  code?: string;
  retryable?: boolean;
  status?: number;
  /** Upstream requests: exact, or [min, max]. */
  requests: number | [number, number];
  /** The emulator sleeps this long on its side (not the function's timer): wait it out before counting timers. */
  emulatorBusyMs?: number;
  /** Retries matter (recovery, the one token re-read, waits inside the budget): the default three attempts. Otherwise
   * only the classification is tested, with one attempt. */
  timed?: boolean;
  /** The answer depends on the deadline, which AWS and SCF contexts give differently: run on both. */
  deadline?: boolean;
}

const apiError = (code: string, retryable: boolean, status: number): FaultCase => ({
  name: `API error ${code}`,
  rule: { fault: { type: "api-error", code } },
  budgetMs: 3000,
  code,
  retryable,
  status,
  requests: 1,
});

// Expected codes, retryable and status from the README's error table and prefix rules, not from lib/errors.ts.
// The transport's own faults (trickled bodies, sizes, redirects, event streams, …) are in transport.test.ts.
const FAULTS: FaultCase[] = [
  { name: "latency well inside the budget", rule: { fault: { type: "latency", ms: 300 } }, budgetMs: 3000, requests: 1, timed: true, deadline: true },
  {
    name: "latency past the budget",
    rule: { fault: { type: "latency", ms: 1100 } },
    budgetMs: 1000,
    code: "UpstreamTimeout",
    retryable: true,
    status: 504,
    requests: [1, 3],
    emulatorBusyMs: 1200,
    timed: true,
    deadline: true,
  },
  { name: "a hang", rule: { fault: { type: "hang" } }, budgetMs: 1000, code: "UpstreamTimeout", retryable: true, status: 504, requests: [1, 3], timed: true, deadline: true },
  { name: "HTTP 502 with an HTML page", rule: { fault: { type: "http5xx", status: 502 } }, budgetMs: 3000, code: "UpstreamHttpError", retryable: true, status: 502, requests: 1 },
  { name: "HTTP 503 with an HTML page", rule: { fault: { type: "http5xx", status: 503 } }, budgetMs: 3000, code: "UpstreamHttpError", retryable: true, status: 502, requests: 1 },
  { name: "HTTP 500 with an HTML page", rule: { fault: { type: "http5xx", status: 500 } }, budgetMs: 3000, code: "UpstreamHttpError", retryable: true, status: 502, requests: 1 },
  { name: "a reset connection", rule: { fault: { type: "reset" } }, budgetMs: 3000, code: "UpstreamNetworkError", retryable: true, status: 502, requests: 1 },
  { name: "malformed JSON", rule: { fault: { type: "malformed-json" } }, budgetMs: 3000, code: "UpstreamInvalidResponse", retryable: true, status: 502, requests: 1 },
  { name: "truncated JSON", rule: { fault: { type: "truncated-json" } }, budgetMs: 3000, code: "UpstreamInvalidResponse", retryable: true, status: 502, requests: 1 },
  { name: "JSON without the envelope", rule: { fault: { type: "non-envelope-json" } }, budgetMs: 3000, code: "UpstreamInvalidResponse", retryable: true, status: 502, requests: 1 },
  // The action's documented business errors.
  apiError("FailedOperation.QueryTaskInfoFailed", true, 502),
  apiError("InternalError.DBError", true, 502),
  apiError("InvalidParameter.TaskId", false, 400),
  apiError("MissingParameter.SdkAppId", false, 400),
  apiError("MissingParameter.TaskId", false, 400),
  // The platform's common codes.
  apiError("AuthFailure.SignatureFailure", false, 502),
  apiError("AuthFailure.SecretIdNotFound", false, 502),
  apiError("AuthFailure.SignatureExpire", false, 502),
  apiError("AuthFailure.UnauthorizedOperation", false, 502),
  apiError("AuthFailure.InvalidAuthorization", false, 502),
  { ...apiError("AuthFailure.TokenFailure", false, 502), requests: 2, timed: true }, // re-read the credentials and retry once, then give up
  apiError("InternalError", true, 502),
  apiError("ServiceUnavailable", true, 502),
  apiError("UnsupportedRegion", false, 500),
  apiError("InvalidParameterValue", false, 400), // a common code: the caller's value, refused by TRTC
  apiError("RequestLimitExceeded", true, 429),
  { name: "throttling for a while, then recovery", rule: { fault: { type: "throttle" }, durationMs: 600 }, budgetMs: 6000, requests: [2, 3], timed: true }, // waits a 1 s window out
  { name: "one HTTP 502, then recovery", rule: { fault: { type: "http5xx" }, times: 1 }, budgetMs: 3000, requests: 2, timed: true },
  // A budget shorter than the attempt time-out: the attempt is cut to the deadline, and its timer must be cleared.
  { name: "HTTP 502 on a 1 s budget", rule: { fault: { type: "http5xx" } }, budgetMs: 1000, code: "UpstreamHttpError", retryable: true, status: 502, requests: [1, 3], timed: true, deadline: true },
  { name: "one HTTP 502, then recovery, on a 1 s budget", rule: { fault: { type: "http5xx" }, times: 1 }, budgetMs: 1000, requests: 2, timed: true, deadline: true },
  { name: "one reset, then recovery", rule: { fault: { type: "reset" }, times: 1 }, budgetMs: 3000, requests: 2, timed: true },
];

const VARIANTS = [
  { name: "AWS context, HTTP API event", http: true, entry: (b: Bundle) => b.handler, context: (ms: number, id: string) => awsContext(ms, id) },
  { name: "SCF context (no getRemainingTimeInMillis), direct invocation with throwOnError", http: false, entry: (b: Bundle) => b.main_handler, context: (ms: number, id: string) => minimalScfContext(ms, id) },
];
const RUNS = FAULTS.flatMap((fault) => (fault.deadline ? VARIANTS : VARIANTS.slice(0, 1)).map((variant) => ({ fault, variant })));

describe("fault matrix: every injectable fault; AWS and SCF contexts where the deadline matters", () => {
  let once: Bundle;
  beforeAll(() => {
    // The classification-only cases: one attempt each (the retry policy has tests of its own).
    once = loadBundle({ TRTC_MAX_ATTEMPTS: "1" });
    delete process.env.TRTC_MAX_ATTEMPTS;
  });
  let n = 0;

  for (const { fault, variant } of RUNS) {
    it(`${fault.name} — ${variant.name}`, async () => {
      figures.faultRuns++;
      const bundle = fault.timed ? fn : once;
      emulator.clearFaults();
      emulator.resetStats();
      // Start each case from a warm, idle process: one pooled connection at most, no timers of ours.
      await invoke(bundle.handler, { SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5000));
      emulator.resetStats();
      await tick();
      const timersBefore = pendingTimers();
      emulator.addFault(fault.rule);

      const requestId = `fault-${++n}`;
      const event = variant.http
        ? awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } })
        : { SdkAppId: APP, TaskId: DEMO_TASK, throwOnError: true };
      const started = Date.now();
      const { value, thrown, threw, lines } = await invoke(variant.entry(bundle), event, variant.context(fault.budgetMs, requestId));
      const elapsed = Date.now() - started;
      const stats = emulator.stats();
      emulator.clearFaults();

      // An answer before the platform's limit (the function aims at the limit minus its margin).
      expect(elapsed).toBeLessThan(fault.budgetMs);
      const [min, max] = Array.isArray(fault.requests) ? fault.requests : [fault.requests, fault.requests];
      expect(stats.requests).toBeGreaterThanOrEqual(min);
      expect(stats.requests).toBeLessThanOrEqual(max);
      expect(stats.log.every((entry) => entry.traceId === requestId)).toBe(true);

      let payload: any;
      if (variant.http) {
        expect(threw).toBe(false);
        expect(value.statusCode).toBe(fault.code ? fault.status : 200);
        const headers = lowerCased(value.headers);
        expect(headers).toMatchObject({ "cache-control": "no-store", "x-content-type-options": "nosniff" });
        if (fault.status === 429) expect(headers["retry-after"]).toBe("1");
        payload = JSON.parse(value.body);
      } else if (fault.code) {
        expect(threw).toBe(true);
        expect((thrown as Error).name).toBe(fault.code);
        payload = JSON.parse((thrown as Error).message);
      } else {
        expect(threw).toBe(false);
        payload = value;
      }
      if (fault.code) {
        expect(payload).toMatchObject({ ok: false, sdkAppId: APP, taskId: DEMO_TASK, error: { code: fault.code, retryable: fault.retryable } });
        if (fault.rule.fault.type === "api-error" || fault.rule.fault.type === "throttle") expect(payload.requestId).toMatch(/^[0-9a-f-]{36}$/);
        else expect(payload.requestId).toBeNull();
      } else {
        expect(payload).toMatchObject({ ok: true, status: "InProgress", running: true });
      }
      expect(lines.map((l) => JSON.parse(l).requestId)).toEqual([requestId]);

      // Nothing of this invocation outlives it: no timer of ours, at most the one keep-alive socket in the pool.
      if (fault.emulatorBusyMs) await sleep(Math.max(0, fault.emulatorBusyMs - (Date.now() - started)) + 100);
      await tick();
      expect(pendingTimers(), "timers left pending after the invocation").toBeLessThanOrEqual(timersBefore);
      expect(clientSockets(), "sockets to TRTC after the invocation").toBeLessThanOrEqual(1);
      figures.faultsSurvived++;
    }, 30_000);
  }
});

describe("secrets", () => {
  it("the distinctive key and token sign the calls, and the scanner every invocation of this file runs through sees them", async () => {
    // The harness can see a leak: the scanner finds a secret (and a cut one) when there is one.
    expect(countSecrets(`x${SECRET_KEY}x ${TOKEN.slice(0, 20)}`, SECRETS)).toBeGreaterThan(0);
    // The emulator accepts only the distinctive credential, with its token: answered calls used them.
    emulator.resetStats();
    const { value } = await invoke(fn.handler, { SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5000));
    expect(value).toMatchObject({ ok: true });
    expect(emulator.stats().log[0]).toMatchObject({ token: true, status: "InProgress" });
  });
});

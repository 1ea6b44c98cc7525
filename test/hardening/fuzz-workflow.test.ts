/**
 * Property-based fuzz of the newer inputs: batch queries (`TaskIds` / `Tasks`, direct and as HTTP POST bodies) and
 * the wait options of direct invocations (`waitFor`, `waitTimeoutSeconds`, `pollIntervalSeconds`), with hostile
 * values. Expectations come from the oracle in test/support/fuzz-oracle.ts (written from docs/workflows.md and the
 * README, not from lib/); the emulator's requests are counted exactly: only valid, allowed, distinct tasks reach
 * it, and nothing does for a refused batch or invalid wait options. A distinctive key and token sign every call and
 * are searched for in every log line, answer and thrown error.
 *
 * Kept fast: no rate limit on either side (a batch of 16 distinct tasks would wait 0.8 s for its 18/s pace;
 * pacing is proven in test/workflow/batch.test.ts and test/fleet, as hardening.test.ts says), the cases are spread
 * over several warm containers (loaded copies of the bundle), valid waits are generated so that they end at the
 * first poll, and one wait of 1 s runs to its end.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { HTTP_EVENT_KINDS, lowerCased } from "../support/events";
import { assertFuzz, captureAll, cheapExpect, countSecrets, invokeCaptured, textOfThrown, visibleText } from "../support/fuzz-capture";
import { FORBIDDEN_APP, FUZZ_ALLOWED, hostileValue, type HttpKindName } from "../support/fuzz-events";
import { expectWorkflowFor, MAX_BATCH_TASKS, pollsFor, type WaitExpectation } from "../support/fuzz-oracle";

const SECRET_ID = "AKIDworkflowFuzz00000000000000000";
const SECRET_KEY = "Wf9SecretKey-k3Jd8Qs1Xe5Uy7Pb2Gh4";
const TOKEN = "Wf9SessionToken-Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2H1g0";
const SECRETS = [SECRET_KEY, TOKEN];

const ALLOWED = new Set(FUZZ_ALLOWED.split(",").map(Number));
const OTHER_APP = [...ALLOWED].find((a) => a !== APP)!;
const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** Warm containers the cases are spread over, as a platform spreads requests. */
const CONTAINERS = 8;

const figures = { cases: 0, upstream: 0, expectedUpstream: 0, batchesRun: 0, batchesRefused: 0, waits: 0, waitsRefused: 0, secretsFound: 0, scannedBytes: 0 };

let emulator: RunningEmulator;
const containers: Bundle[] = [];

beforeAll(async () => {
  let env: Record<string, string | undefined>;
  ({ emulator, env } = await startTestEmulator({ rateLimitPerSecond: 1_000_000 }));
  emulator.addCredential({ secretId: SECRET_ID, secretKey: SECRET_KEY, token: TOKEN });
  for (let i = 0; i < CONTAINERS; i++) {
    containers.push(
      loadBundle({
        ...env,
        TENCENTCLOUD_SECRET_ID: SECRET_ID,
        TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
        TENCENTCLOUD_SESSION_TOKEN: TOKEN,
        TRTC_ALLOWED_SDK_APP_IDS: FUZZ_ALLOWED,
        TRTC_RATE_LIMIT_PER_SECOND: "1000000",
        TRTC_ATTEMPT_TIMEOUT_MS: "5000", // a loaded 2-core machine must not turn one poll into a retried one
        LOG_LEVEL: "debug",
      }),
    );
  }
});
afterAll(async () => {
  await emulator?.close();
  console.log(
    `[hardening/workflow] fuzz cases: ${figures.cases}, upstream requests: ${figures.upstream} (expected ${figures.expectedUpstream}),` +
      ` batches run: ${figures.batchesRun}, batches refused: ${figures.batchesRefused}, waits run: ${figures.waits}, waits refused: ${figures.waitsRefused},` +
      ` secrets found in output: ${figures.secretsFound} (${(figures.scannedBytes / 1e6).toFixed(1)} MB scanned)`,
  );
});

function scan(...texts: string[]): void {
  for (const text of texts) {
    figures.scannedBytes += text.length;
    figures.secretsFound += countSecrets(text, SECRETS);
  }
}

/** The emulator's answer for a task (its seed: only the demo task runs). */
const statusAtEmulator = (sdkAppId: number, taskId: string) => (sdkAppId === APP && taskId === DEMO_TASK ? "InProgress" : "NotExist");

/** The polls of a wait the generators made determined (see directWait). */
function pollsOf(wait: WaitExpectation, status: string): number {
  const polls = pollsFor(wait, status);
  if (polls === undefined) throw new Error(`the wait's random phase decides its polls: ${JSON.stringify(wait)}`);
  return polls;
}

let n = 0;

// cheapExpect: expect() only for a check that fails (a batch's case checks each of its up to 100 slots).
async function check(event: unknown): Promise<void> {
  const expected = expectWorkflowFor(event, ALLOWED);
  const requestId = `wf-${++n}`;
  const aws = n % 2 === 0;
  const fn = containers[n % CONTAINERS]!;
  const run = await invokeCaptured(aws ? fn.handler : fn.main_handler, event, aws ? awsContext(10_000, requestId) : scfContext(10_000, requestId));
  const { value, lines, thrown, threw } = run;
  scan(...visibleText(run));
  const upstream = emulator.stats();
  if (upstream.requests > 0) emulator.resetStats(); // keeps stats() cheap: its log stays near empty
  figures.cases++;
  figures.upstream += upstream.requests;

  const expectedRequests: Array<{ sdkAppId: number; taskId: string }> =
    expected.outcome === "batch"
      ? expected.upstream
      : expected.outcome === "single"
        ? Array.from({ length: expected.wait ? pollsOf(expected.wait, statusAtEmulator(expected.sdkAppId, expected.taskId)) : 1 }, () => ({
            sdkAppId: expected.sdkAppId,
            taskId: expected.taskId,
          }))
        : [];
  figures.expectedUpstream += expectedRequests.length;
  if (expected.outcome === "batch") figures.batchesRun++;
  if (expected.outcome === "refused" && /Batch/.test(expected.code)) figures.batchesRefused++;
  if (expected.outcome === "refused" && /Wait|PollInterval/.test(expected.code)) figures.waitsRefused++;
  if (expected.outcome === "single" && expected.wait) figures.waits++;

  // Exactly the expected tasks reached TRTC, each as often as expected, all with this invocation's trace id.
  cheapExpect(upstream.requests, "upstream requests").toBe(expectedRequests.length);
  const asked = upstream.log.map((e) => `${Number(e.sdkAppId)}/${String(e.taskId)}`).sort();
  cheapExpect(asked).toEqual(expectedRequests.map((t) => `${t.sdkAppId}/${t.taskId}`).sort());
  cheapExpect(upstream.log.every((e) => e.traceId === requestId)).toBe(true);

  const throws = expected.outcome === "refused" && expected.throws;
  let payload: any;
  if (throws) {
    cheapExpect(threw, "throwOnError invocation throws").toBe(true);
    cheapExpect((thrown as Error).name).toBe(expected.code);
    payload = JSON.parse((thrown as Error).message);
  } else {
    cheapExpect(threw ? textOfThrown(thrown) : "no exception").toBe("no exception");
    if (expected.http) {
      cheapExpect(value.statusCode).toBe(expected.outcome === "refused" ? expected.status : 200);
      cheapExpect(lowerCased(value.headers)).toMatchObject({ "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" });
      payload = JSON.parse(value.body);
    } else {
      cheapExpect(value).notToHaveProperty("statusCode");
      payload = value;
    }
  }

  if (expected.outcome === "refused") {
    cheapExpect(payload).toEqual({
      ok: false,
      sdkAppId: expected.sdkAppId,
      taskId: expected.taskId,
      error: { code: expected.code, message: expect.any(String), retryable: false },
      requestId: null,
    });
  } else if (expected.outcome === "batch") {
    cheapExpect(Object.keys(payload).sort()).toEqual(["ok", "results", "summary"]);
    cheapExpect(payload.results).toHaveLength(expected.slots.length);
    let answered = 0;
    let running = 0;
    const requestIdOf = new Map<string, string>();
    expected.slots.forEach((slot, i) => {
      const got = payload.results[i];
      if (slot.code) {
        cheapExpect(got, `slot ${i}`).toEqual({
          ok: false,
          sdkAppId: slot.sdkAppId,
          taskId: slot.taskId,
          error: { code: slot.code, message: expect.any(String), retryable: false },
          requestId: null,
        });
      } else {
        const status = statusAtEmulator(slot.sdkAppId!, slot.taskId!);
        cheapExpect(got, `slot ${i}`).toMatchObject({ ok: true, sdkAppId: slot.sdkAppId, taskId: slot.taskId, status, running: status === "InProgress" });
        // A task named twice was asked once: every slot naming it carries the same RequestId.
        const key = `${slot.sdkAppId}/${slot.taskId}`;
        cheapExpect(got.requestId).toBe(requestIdOf.get(key) ?? got.requestId);
        requestIdOf.set(key, got.requestId);
        answered++;
        if (status === "InProgress") running++;
      }
    });
    cheapExpect(payload.summary).toEqual({ tasks: expected.slots.length, answered, running, failed: expected.slots.length - answered });
    cheapExpect(payload.ok).toBe(answered === expected.slots.length);
  } else {
    const status = statusAtEmulator(expected.sdkAppId, expected.taskId);
    cheapExpect(payload).toMatchObject({ ok: true, sdkAppId: expected.sdkAppId, taskId: expected.taskId, status, running: status === "InProgress" });
    if (expected.wait) {
      cheapExpect(payload.wait).toEqual({ for: expected.wait.waitFor, satisfied: status === expected.wait.waitFor, polls: expectedRequests.length, waitedMs: expect.any(Number) });
    } else {
      cheapExpect(payload).notToHaveProperty("wait");
    }
  }

  // One log line per invocation, with this invocation's id.
  cheapExpect(lines).toHaveLength(1);
  cheapExpect(JSON.parse(lines[0]!)).toMatchObject({ requestId });
}

// ---------------------------------------------------------------------------------------------------------------
// Generators. Objects are built with Object.fromEntries so that `__proto__` is an own key, as JSON.parse makes it.

const HUGE = "T".repeat(200_000);
/** The numeric edge values of the single-task fuzz, and their string look-alikes. */
const EDGE_NUMBERS = [0, -0, -1, 1, 1.5, 0.999, 4294967295, 4294967296, 2 ** 53 + 1, Infinity, -Infinity, 1e309, -1e309, 1e-7, NaN, 1400000001.0000002];
const edgeValue = fc.oneof(
  fc.constantFrom<unknown>(...EDGE_NUMBERS, "1", " 1", "1e3", "0x10", "١٢٣", "", "null", "__proto__", "constructor", HUGE, "x".repeat(257), true, false, [], {}, [1], { 0: "a" }),
  hostileValue,
);

/** One valid task per case, written in varied ways, so that batches stay cheap (one distinct task at most). */
interface Seed {
  app: number;
  task: string;
}
const seedArb: fc.Arbitrary<Seed> = fc.record({
  app: fc.constantFrom(APP, OTHER_APP, FORBIDDEN_APP, FORBIDDEN_APP, FORBIDDEN_APP, FORBIDDEN_APP),
  task: fc.oneof(fc.constantFrom(DEMO_TASK, DEMO_TASK, "task-a", "!~", "x".repeat(256)), fc.stringMatching(/^[!-~]{1,32}$/)),
});
/** The same SdkAppId as a number, a string of digits, a zero-padded string. */
const appForms = (app: number) => fc.constantFrom<unknown>(app, app, String(app), `000${app}`);

const appKey = fc.constantFrom("SdkAppId", "sdkAppId");
const taskKey = fc.constantFrom("TaskId", "taskId");
const pollutionEntry = fc.tuple(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"),
  fc.oneof(fc.constant<unknown>({ SdkAppId: APP, TaskId: DEMO_TASK }), fc.constant<unknown>({ prototype: { SdkAppId: APP } }), edgeValue),
);

function taskIdsEntry(seed: Seed): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<unknown>(seed.task) },
    { weight: 3, arbitrary: edgeValue },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, "", " ", "a b", [seed.task], { TaskId: seed.task }, 5) },
  );
}

function tasksEntry(seed: Seed): fc.Arbitrary<unknown> {
  const object = fc
    .record({
      app: fc.oneof(
        { weight: 3, arbitrary: appForms(seed.app) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(FORBIDDEN_APP, undefined, null, "") },
        { weight: 2, arbitrary: edgeValue },
      ),
      appKey,
      task: fc.oneof({ weight: 3, arbitrary: fc.constant<unknown>(seed.task) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, "") }, { weight: 2, arbitrary: edgeValue }),
      taskKey,
      extra: fc.array(pollutionEntry, { maxLength: 2 }),
    })
    .map(({ app, appKey: ak, task, taskKey: tk, extra }) => {
      const entries: Array<[string, unknown]> = [...extra];
      if (app !== undefined) entries.push([ak, app]);
      if (task !== undefined) entries.push([tk, task]);
      return Object.fromEntries(entries);
    });
  return fc.oneof(
    { weight: 40, arbitrary: object },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 1, "task-a", true, [], [{ SdkAppId: APP, TaskId: DEMO_TASK }]) },
  );
}

/** The list under TaskIds/Tasks: usually an array of 1–6, sometimes at and past the cap, empty, or no array. */
function listArb(entry: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.array(entry, { minLength: 1, maxLength: 6 }) },
    { weight: 1, arbitrary: fc.array(entry, { minLength: MAX_BATCH_TASKS - 2, maxLength: MAX_BATCH_TASKS }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(entry, fc.constantFrom(MAX_BATCH_TASKS + 1, MAX_BATCH_TASKS + 2, 150, 1000))
        .map(([e, len]) => Array.from({ length: len }, () => e)),
    },
    { weight: 1, arbitrary: fc.constant<unknown>([]) },
    { weight: 2, arbitrary: fc.oneof(edgeValue, fc.constantFrom<unknown>("task-a,task-b", '["task-a"]', { 0: "task-a", length: 1 }, [[DEMO_TASK]])) },
  );
}

/** Present in about one case in ten. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** The members of a batch event (direct or a JSON body). */
const batchMembers: fc.Arbitrary<Array<[string, unknown]>> = seedArb.chain((seed) =>
  fc
    .record({
      which: fc.constantFrom("TaskIds", "taskIds", "Tasks", "tasks"),
      taskIdsList: listArb(taskIdsEntry(seed)),
      tasksList: listArb(tasksEntry(seed)),
      app: fc.oneof(
        { weight: 4, arbitrary: appForms(seed.app) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, "", FORBIDDEN_APP) },
        { weight: 2, arbitrary: edgeValue },
      ),
      appKey,
      // Both lists, TaskId alongside, waitFor with a batch: each now and then.
      both: rarely(fc.constantFrom("TaskIds", "taskIds", "Tasks", "tasks")),
      taskId: rarely(fc.tuple(taskKey, fc.oneof(fc.constant<unknown>(seed.task), fc.constantFrom<unknown>(null, ""), edgeValue))),
      waitFor: rarely(fc.constantFrom<unknown>("NotExist", "InProgress", null, "", "bogus", 1)),
      throwOnError: fc.constantFrom<unknown>(undefined, undefined, true, false, "true"),
      extra: fc.array(pollutionEntry, { maxLength: 2 }),
    })
    .map((r) => {
      const isIds = r.which.toLowerCase() === "taskids";
      const entries: Array<[string, unknown]> = [...r.extra];
      if (r.app !== undefined) entries.push([r.appKey, r.app]);
      entries.push([r.which, isIds ? r.taskIdsList : r.tasksList]);
      if (r.both) entries.push([r.both, r.both.toLowerCase() === "taskids" ? r.taskIdsList : r.tasksList]);
      if (r.taskId) entries.push(r.taskId);
      if (r.waitFor !== undefined) entries.push(["waitFor", r.waitFor]);
      if (r.throwOnError !== undefined) entries.push(["throwOnError", r.throwOnError]);
      return entries;
    }),
);

const directBatch = batchMembers.map((entries) => Object.fromEntries(entries));

/** A batch over HTTP: the members as a JSON POST body (some of them in the query string instead, as strings). */
function httpBatch(kind: HttpKindName): fc.Arbitrary<unknown> {
  return fc
    .record({
      members: batchMembers,
      toQuery: fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 2, arbitrary: fc.array(fc.constantFrom("SdkAppId", "sdkAppId", "TaskId", "TaskIds", "Tasks", "waitFor"), { maxLength: 2 }) }),
      method: fc.constantFrom("POST", "POST", "POST", "POST", "POST", "GET", "PUT"),
      base64: fc.boolean(),
    })
    .map(({ members, toQuery, method, base64 }) => {
      const body: Array<[string, unknown]> = [];
      const query: Record<string, string> = {};
      for (const [key, value] of members) {
        if ((toQuery as string[]).includes(key)) query[key] = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
        else body.push([key, value]);
      }
      const json = JSON.stringify(Object.fromEntries(body));
      const event = HTTP_EVENT_KINDS[kind]({ method, query: Object.keys(query).length ? query : undefined }) as Record<string, unknown>;
      event.body = base64 ? Buffer.from(json).toString("base64") : json;
      event.isBase64Encoded = base64;
      return event;
    });
}

/** A single direct query with wait options: mostly invalid ones (refused before any upstream call). */
const waitOption = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant<unknown>(undefined) }, { weight: 2, arbitrary: valid }, { weight: 5, arbitrary: edgeValue }, { weight: 1, arbitrary: fc.constant<unknown>(null) });

const directWait: fc.Arbitrary<unknown> = seedArb.chain((seed) =>
  fc
    .record({
      app: fc.oneof({ weight: 10, arbitrary: appForms(seed.app) }, { weight: 2, arbitrary: edgeValue }, { weight: 1, arbitrary: fc.constant<unknown>(undefined) }),
      appKey,
      task: fc.oneof({ weight: 10, arbitrary: fc.constant<unknown>(seed.task) }, { weight: 2, arbitrary: edgeValue }, { weight: 1, arbitrary: fc.constant<unknown>(undefined) }),
      taskKey,
      waitFor: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom<unknown>("NotExist", "InProgress") },
        { weight: 3, arbitrary: fc.constantFrom<unknown>("notexist", "IN_PROGRESS", " NotExist", "NotExist ", "Running", "", 0, true, ["NotExist"], { for: "NotExist" }) },
        { weight: 2, arbitrary: edgeValue },
        { weight: 1, arbitrary: fc.constant<unknown>(null) },
      ),
      timeout: waitOption(fc.oneof(fc.constantFrom<unknown>(1, 1.5, 60, 899.9, 900), fc.double({ min: 1, max: 900, noNaN: true }))),
      interval: waitOption(fc.oneof(fc.constantFrom<unknown>(1, 2.5, 5, 299.99, 300), fc.double({ min: 1, max: 300, noNaN: true }))),
      throwOnError: fc.constantFrom<unknown>(undefined, true, true, false),
      extra: fc.array(pollutionEntry, { maxLength: 2 }),
    })
    .map((r) => {
      const entries: Array<[string, unknown]> = [...r.extra];
      if (r.app !== undefined) entries.push([r.appKey, r.app]);
      if (r.task !== undefined) entries.push([r.taskKey, r.task]);
      entries.push(["waitFor", r.waitFor]);
      if (r.timeout !== undefined) entries.push(["waitTimeoutSeconds", r.timeout]);
      if (r.interval !== undefined) entries.push(["pollIntervalSeconds", r.interval]);
      if (r.throwOnError !== undefined) entries.push(["throwOnError", r.throwOnError]);
      const event = Object.fromEntries(entries);
      // A valid wait that would not end at its first poll, or might not (the random phase), is made to: the interval
      // past the timeout by more than the phase can bring forward (one poll).
      const expected = expectWorkflowFor(event, ALLOWED);
      if (expected.outcome === "single" && expected.wait && pollsFor(expected.wait, statusAtEmulator(expected.sdkAppId, expected.taskId)) !== 1) {
        event.waitTimeoutSeconds = 1;
        event.pollIntervalSeconds = 2;
      }
      return event;
    }),
);

/** Several distinct valid tasks in one batch, and duplicates. */
const multiTaskBatch: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(fc.constantFrom(APP, OTHER_APP), fc.constantFrom(DEMO_TASK, "task-a", "task-b")), { minLength: 2, maxLength: 3, selector: ([a, t]) => `${a}/${t}` }),
    fc.array(fc.constantFrom<unknown>(null, 1, { SdkAppId: FORBIDDEN_APP, TaskId: "t" }, { SdkAppId: APP, TaskId: " " }, { TaskId: "t" }, { SdkAppId: "0x10", TaskId: "t" }), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([valid, invalid, dup]) => {
    const tasks: unknown[] = valid.map(([a, t]) => ({ SdkAppId: a, TaskId: t }));
    if (dup) tasks.push({ sdkAppId: String(valid[0]![0]), taskId: valid[0]![1] });
    // Non-object entries would refuse the whole batch; keep the objects, and one refusal now and then.
    tasks.push(...invalid.filter((x, i) => typeof x === "object" || i === 2));
    return { Tasks: tasks };
  });

const property = (arb: fc.Arbitrary<unknown>, numRuns: number) => assertFuzz(arb, check, numRuns, FUZZ_SEED);

describe("fuzz: batch queries and wait options", () => {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  it("direct batches: TaskIds and Tasks, hostile entries, caps, conflicts (900 cases)", () => property(directBatch, 900), 60_000);
  it.each<[HttpKindName, number]>([
    ["aws-rest", 150],
    ["aws-http", 150],
    ["function-url", 100],
    ["tencent-apigw", 150],
  ])("%s batch bodies (%i cases)", (kind, runs) => property(httpBatch(kind), runs), 60_000);
  it("batches with several distinct valid tasks and duplicates (25 cases)", () => property(multiTaskBatch, 25), 60_000);
  it("direct wait options, valid and invalid, with valid and invalid task parameters (700 cases)", () => property(directWait, 700), 60_000);
  it("a wait that runs out: waitTimeoutSeconds 1, pollIntervalSeconds 1 polls twice", async () => {
    const before = figures.upstream;
    await check({ SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "NotExist", waitTimeoutSeconds: 1, pollIntervalSeconds: 1, throwOnError: true });
    expect(figures.upstream - before).toBe(2);
  }, 10_000);

  it("left Object.prototype as it was; ≥2,000 cases; exactly the expected upstream requests; no secret in any output", async () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).SdkAppId).toBeUndefined();
    expect(({} as Record<string, unknown>).TaskIds).toBeUndefined();
    if (figures.cases > 100) {
      expect(figures.cases).toBeGreaterThanOrEqual(2000);
      expect(figures.batchesRun).toBeGreaterThan(0);
      expect(figures.batchesRefused).toBeGreaterThan(0);
      expect(figures.waits).toBeGreaterThan(0);
      expect(figures.waitsRefused).toBeGreaterThan(0);
      expect(figures.expectedUpstream).toBeGreaterThan(0);
    }
    expect(figures.upstream).toBe(figures.expectedUpstream);
    // The scanner can see a leak, and the distinctive credential (with its token) signed the answered calls.
    expect(countSecrets(`x${SECRET_KEY}x ${TOKEN.slice(0, 20)}`, SECRETS)).toBeGreaterThan(0);
    emulator.resetStats();
    const { value } = await captureAll(() => containers[0]!.handler({ SdkAppId: APP, TaskIds: [DEMO_TASK] }, awsContext(5000)));
    expect(value).toMatchObject({ ok: true, summary: { tasks: 1, answered: 1, running: 1 } });
    expect(emulator.stats().log[0]).toMatchObject({ token: true, status: "InProgress" });
    expect(figures.secretsFound).toBe(0);
  });
});

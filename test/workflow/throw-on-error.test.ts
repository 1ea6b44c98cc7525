/**
 * Typed errors for workflow Retry/Catch: with TRTC_THROW_ON_ERROR (or "throwOnError" per invocation) a failed direct
 * invocation throws an Error named by the code (or, for a code the error table does not list, by its listed family, as
 * docs/workflows.md states) whose message is the failure payload as JSON; HTTP events never throw.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { HTTP_EVENT_KINDS } from "../support/events";

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let returning: Bundle;
let throwing: Bundle;

beforeAll(async () => {
  // No rate limit on either side: the invocations follow each other, and each would wait 55 ms for the 18/s pace;
  // pacing is proven in test/workflow/batch.test.ts and test/fleet.
  ({ emulator, env } = await startTestEmulator({ rateLimitPerSecond: 1_000_000 }));
  env = { ...env, TRTC_RATE_LIMIT_PER_SECOND: "1000000" };
  throwing = loadBundle({ ...env, TRTC_THROW_ON_ERROR: "true", TRTC_MAX_ATTEMPTS: "1" });
  returning = loadBundle({ ...env, TRTC_THROW_ON_ERROR: undefined, TRTC_MAX_ATTEMPTS: "1" });
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetStats();
});
afterAll(() => emulator.close());

/** The README's error table, which docs/workflows.md's naming rule reads: its rows as [code, from, retryable]. */
function tableRows(): Array<[code: string, from: string, retryable: boolean]> {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  return [...readme.matchAll(/^\| `([^`]+)` \| ([^|]+) \| \d+ \| (yes|no) \|/gm)].map((m) => [m[1]!, m[2]!.trim(), m[3] === "yes"]);
}
const listedCodes = () => new Map(tableRows().map(([code, , retryable]) => [code, retryable]));

/**
 * docs/workflows.md: the name is the code when the table lists it; else the longest listed code it starts with, cut
 * at a dot, with the same retryable; else the code.
 */
function documentedName(code: string, retryable: boolean, listed: Map<string, boolean>): string {
  if (listed.has(code)) return code;
  const parts = code.split(".");
  for (let n = parts.length - 1; n > 0; n--) {
    const prefix = parts.slice(0, n).join(".");
    if (listed.get(prefix) === retryable) return prefix;
  }
  return code;
}

const caught = (promise: Promise<unknown>) => promise.then((value) => ({ value, error: undefined as any }), (error) => ({ value: undefined, error }));

describe("the thrown error", () => {
  it("is named by the code, and its message is the failure payload a Catch with ResultPath receives", async () => {
    emulator.addFault({ fault: { type: "throttle" } });
    const { value, error } = await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()));
    expect(value).toBeUndefined();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RequestLimitExceeded");
    const payload = JSON.parse(error.message);
    expect(payload).toEqual({
      ok: false,
      sdkAppId: APP,
      taskId: DEMO_TASK,
      error: { code: "RequestLimitExceeded", message: expect.any(String), retryable: true },
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // What Lambda hands Step Functions: errorType is the name (ErrorEquals matches it), errorMessage the payload.
    const cause = JSON.parse(JSON.stringify({ errorType: error.name, errorMessage: error.message }));
    expect(JSON.parse(cause.errorMessage).error.code).toBe(cause.errorType);
  });

  it.each<[string, object, string, boolean]>([
    ["a validation failure", { SdkAppId: APP }, "MissingParameter.TaskId", false],
    ["a batch shape error", { SdkAppId: APP, TaskIds: [] }, "InvalidRequest.Batch", false],
    ["a wait option error", { SdkAppId: APP, TaskId: DEMO_TASK, waitFor: "x" }, "InvalidParameter.WaitFor", false],
    ["an event that is not an object", ["x"] as unknown as object, "InvalidRequest.Event", false],
  ])("%s throws with its code", async (_name, event, code, retryable) => {
    const { error } = await caught(throwing.main_handler(event, scfContext()));
    expect(error?.name).toBe(code);
    expect(JSON.parse(error.message).error).toMatchObject({ code, retryable });
  });

  it("upstream faults throw their codes (UpstreamHttpError, InternalError.DBError)", async () => {
    emulator.addFault({ fault: { type: "http5xx" }, times: 1 });
    expect((await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()))).error.name).toBe("UpstreamHttpError");
    emulator.addFault({ fault: { type: "api-error", code: "InternalError.DBError" }, times: 1 });
    expect((await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()))).error.name).toBe("InternalError.DBError");
  });

  it("is named by the rule docs/workflows.md states, for listed codes, their sub-codes and codes nobody listed", async () => {
    const listed = listedCodes();
    const api = tableRows().flatMap(([code, from]) => (from === "TRTC API" ? [code] : []));
    expect(api.length).toBeGreaterThan(10);
    const unlisted = [
      "RequestLimitExceeded.UinLimitExceeded",
      "InternalError.ServerError",
      "InternalError.DBError.Replica",
      "ServiceUnavailable.Busy",
      "ResourceUnavailable.Busy",
      "InvalidParameterValue.SdkAppId",
      "FailedOperation.Other",
      "AuthFailure.Other",
      "UpstreamTimeout.NotOurs", // a listed retryable prefix, but TRTC's unknown code is not retryable: keeps its name
    ];
    for (const code of [...api, ...unlisted]) {
      emulator.clearFaults();
      emulator.resetStats(); // and the emulator's 20 requests/s limiter, which this loop would otherwise reach
      emulator.addFault({ fault: { type: "api-error", code } });
      const { error } = await caught(throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext()));
      const payload = JSON.parse(error.message);
      expect(payload.error.code, code).toBe(code); // the exact code stays in the payload
      expect(error.name, code).toBe(documentedName(code, payload.error.retryable, listed));
      // The doc's promise: a retryable failure is always thrown under a listed retryable code.
      if (payload.error.retryable) expect(listed.get(error.name), `${code} thrown as ${error.name}`).toBe(true);
    }
  });

  it("a success is returned as usual", async () => {
    expect(await throwing.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext())).toMatchObject({ ok: true, status: "InProgress" });
    expect(await throwing.handler({ SdkAppId: APP, TaskId: "gone" }, awsContext())).toMatchObject({ ok: true, status: "NotExist" });
  });

  it("still writes the invocation's log line", async () => {
    const lines: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    const logged = loadBundle({ ...env, TRTC_THROW_ON_ERROR: "true", LOG_LEVEL: "info" });
    try {
      await caught(logged.handler({ SdkAppId: APP }, awsContext()));
    } finally {
      process.stdout.write = original;
      loadBundle({ LOG_LEVEL: "error" });
    }
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.message === "DescribeStreamIngest");
    expect(line).toMatchObject({ outcome: "MissingParameter.TaskId", ok: false, level: "warn" });
  });
});

describe("per-invocation override", () => {
  it('"throwOnError": true throws where the deployment returns', async () => {
    expect(await returning.handler({ SdkAppId: APP }, awsContext())).toMatchObject({ ok: false, error: { code: "MissingParameter.TaskId" } });
    const { error } = await caught(returning.handler({ SdkAppId: APP, throwOnError: true }, awsContext()));
    expect(error?.name).toBe("MissingParameter.TaskId");
  });

  it('"throwOnError": false returns where the deployment throws', async () => {
    const result = await throwing.handler({ SdkAppId: APP, throwOnError: false }, awsContext());
    expect(result).toMatchObject({ ok: false, error: { code: "MissingParameter.TaskId" } });
  });

  it("a value that is not a boolean is ignored", async () => {
    const result = await returning.handler({ SdkAppId: APP, throwOnError: "true" }, awsContext());
    expect(result.ok).toBe(false);
  });
});

describe("HTTP events are never thrown at", () => {
  for (const [kind, make] of Object.entries(HTTP_EVENT_KINDS)) {
    it(`${kind}: a failure is an HTTP response, with TRTC_THROW_ON_ERROR and throwOnError in the query and body`, async () => {
      const missing = await throwing.handler(make({ query: { SdkAppId: String(APP), throwOnError: "true" } }), awsContext());
      expect(missing.statusCode).toBe(400);
      expect(JSON.parse(missing.body).error.code).toBe("MissingParameter.TaskId");
      emulator.addFault({ fault: { type: "throttle" }, times: 1 });
      const throttled = await throwing.handler(
        make({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK, throwOnError: true }) }),
        awsContext(),
      );
      expect(throttled.statusCode).toBe(429);
      expect(JSON.parse(throttled.body).error).toMatchObject({ code: "RequestLimitExceeded", retryable: true });
    });
  }
});

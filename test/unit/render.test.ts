/**
 * The one way out, pure: an outcome rendered for its caller (lib/render.ts) and written as one log line
 * (lib/log-line.ts); and the edge through the real middy core (one line per invocation, whichever path).
 */
import middy from "@middy/core";
import { describe, expect, it } from "vitest";
import { answerWith } from "../../lib/answer";
import type { Runtime } from "../../lib/container";
import { TrtcFunctionError } from "../../lib/errors";
import { logLineOf } from "../../lib/log-line";
import { createLogger } from "../../lib/logger";
import { edge } from "../../lib/middleware/edge";
import type { FunctionContext } from "../../lib/middleware/types";
import { failureOutcome, type Outcome } from "../../lib/outcome";
import { invocationFromContext } from "../../lib/platform";
import { render, WorkflowError } from "../../lib/render";

const success: Outcome = {
  kind: "task",
  result: { ok: true, sdkAppId: 1, taskId: "a", status: "InProgress", running: true, region: "ap-singapore", requestId: "r-1", checkedAt: "" },
  stats: { attempts: 2, upstreamMs: 7 },
};
const failed: Outcome = {
  kind: "task",
  result: { ok: false, sdkAppId: 1, taskId: "a", error: { code: "UpstreamTimeout", message: "late", retryable: true }, requestId: null },
  stats: { attempts: 3, upstreamMs: 9000 },
};
const http = { kind: "http", shape: "plain", headers: {} } as const;

describe("render", () => {
  it("direct: the plain result; a failure thrown as a workflow error only with throwOnError", () => {
    expect(render(success, { kind: "direct", throwOnError: true })).toEqual({ value: success.result });
    expect(render(failed, { kind: "direct", throwOnError: false })).toEqual({ value: failed.result });
    const thrown = render(failed, { kind: "direct", throwOnError: true }).thrown;
    expect(thrown).toBeInstanceOf(WorkflowError);
    expect(thrown).toMatchObject({ name: "UpstreamTimeout" });
    expect(JSON.parse(thrown!.message)).toEqual(failed.result);
    // A code the catalogue does not list is thrown under its catalogued family of the same retryability.
    const sub = failureOutcome(new TrtcFunctionError("InternalError.ServerError", "x"));
    expect(render(sub, { kind: "direct", throwOnError: true }).thrown?.name).toBe("InternalError");
  });

  it("HTTP: the status from the catalogue, the result as the JSON body; a batch is 200", () => {
    expect(render(success, http).value).toMatchObject({ statusCode: 200, body: JSON.stringify(success.result) });
    expect(render(failed, http).value).toMatchObject({ statusCode: 504 });
    expect(render(failureOutcome(new TrtcFunctionError("RequestLimitExceeded", "slow down")), http).value).toMatchObject({ statusCode: 429, headers: { "retry-after": "1" } });
    const batch: Outcome = { kind: "batch", result: { ok: false, results: [failed.result as never], summary: { tasks: 1, answered: 0, running: 0, failed: 1 } }, stats: { attempts: 0, upstreamMs: 0 } };
    expect(render(batch, http).value).toMatchObject({ statusCode: 200 });
    expect(render(batch, { kind: "direct", throwOnError: true })).toEqual({ value: batch.result });
  });

  it("a preflight is 204 with no body; a callback answers {code:0} or its refusal's status", () => {
    const preflight = render({ kind: "preflight" }, http).value as Record<string, any>;
    expect(preflight).toMatchObject({ statusCode: 204, body: "" });
    expect(preflight.headers).not.toHaveProperty("content-type");
    expect(render({ kind: "callback", callback: { ok: true, recorded: "recorded" } }, http).value).toMatchObject({ statusCode: 200, body: '{"code":0}' });
    const refused = render({ kind: "callback", callback: { ok: false, error: new TrtcFunctionError("Forbidden.SdkAppId", "no") } }, http).value as Record<string, any>;
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 403, error: { code: "Forbidden.SdkAppId" } });
  });
});

describe("logLineOf", () => {
  const invocation = invocationFromContext({ awsRequestId: "req-1", getRemainingTimeInMillis: () => 10_000 }, { now: () => 1000, sleep: async () => undefined });

  it("a task: outcome, cost and TRTC's request id; the level from the code's status class", () => {
    expect(logLineOf(success, invocation, "direct", 1010)).toMatchObject({
      level: "info",
      message: "DescribeStreamIngest",
      fields: { requestId: "req-1", eventKind: "direct", outcome: "InProgress", ok: true, attempts: 2, upstreamLatencyMs: 7, upstreamRequestId: "r-1", durationMs: 10 },
    });
    expect(logLineOf(failed, invocation, "aws-http", 1010)).toMatchObject({ level: "error", fields: { outcome: "UpstreamTimeout", retryable: true, attempts: 3 } });
    expect(logLineOf(failureOutcome(new TrtcFunctionError("MissingParameter.TaskId", "x")), invocation, undefined, 1010)).toMatchObject({ level: "warn", fields: { eventKind: "unrecognised", attempts: 0 } });
  });
});

describe("the edge through middy", () => {
  const runtimeWith = (lines: Array<Record<string, unknown>>): Runtime => ({
    ok: false,
    error: new TrtcFunctionError("InvalidConfiguration.Region", "bad region"),
    logger: createLogger({ level: "info", write: (line) => lines.push(JSON.parse(line)) }),
  });
  const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 10_000 } as never;
  const stack = (runtime: Runtime, handler = answerWith(runtime)) =>
    middy<unknown, unknown, Error, FunctionContext>({ timeoutEarlyInMillis: 0 }).use(edge({ runtime })).handler(handler as never);

  it("one line per invocation: a configuration error, a refusal, a workflow throw, a bug in the handler", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const runtime = runtimeWith(lines);
    const fn = stack(runtime);
    await expect(fn({ SdkAppId: 1, TaskId: "a" }, context)).resolves.toMatchObject({ ok: false, error: { code: "InvalidConfiguration.Region" } });
    await expect(fn({ TaskId: "a" }, context)).resolves.toMatchObject({ ok: false, error: { code: "MissingParameter.SdkAppId" } });
    await expect(fn({ SdkAppId: 1, TaskId: "a", throwOnError: true }, context)).rejects.toMatchObject({ name: "InvalidConfiguration.Region" });
    const buggy = stack(runtime, answerWith({ ...runtime, ok: true } as never));
    await expect(buggy({ SdkAppId: 1, TaskId: "a" }, context)).resolves.toMatchObject({ ok: false, error: { code: "InternalError.Function" } });
    const invocationLines = lines.filter((line) => line.message === "DescribeStreamIngest");
    expect(invocationLines.map((line) => line.outcome)).toEqual(["InvalidConfiguration.Region", "MissingParameter.SdkAppId", "InvalidConfiguration.Region", "InternalError.Function"]);
    expect(lines.filter((line) => line.message === "Unexpected error")).toHaveLength(1);
  });
});

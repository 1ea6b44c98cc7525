/**
 * The outcome's way out through the real middy core: the handler's (or classifyErrors') Outcome is written down once
 * by invocationLog and leaves it as the plain contract result, whichever path the invocation takes.
 */
import middy from "@middy/core";
import { describe, expect, it } from "vitest";
import type { Outcome } from "../../lib/describe-stream-ingest";
import { TrtcFunctionError } from "../../lib/errors";
import { createLogger } from "../../lib/logger";
import { classifyErrors } from "../../lib/middleware/classify-errors";
import { invocationContext } from "../../lib/middleware/invocation-context";
import { invocationLog } from "../../lib/middleware/invocation-log";
import type { FunctionContext, FunctionMiddleware } from "../../lib/middleware/types";
import { workflowErrors } from "../../lib/middleware/workflow-errors";

const success: Outcome = {
  result: { ok: true, sdkAppId: 1, taskId: "a", status: "InProgress", running: true, region: "ap-singapore", requestId: "r-1", checkedAt: "" },
  stats: { attempts: 2, upstreamMs: 7 },
};

function stack(handler: () => Promise<Outcome>, outer: FunctionMiddleware[] = []) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: "info", write: (line) => lines.push(JSON.parse(line)) });
  const fn = middy<unknown, unknown, Error, FunctionContext>({ timeoutEarlyInMillis: 0 })
    .use(invocationContext())
    .use(outer)
    .use(invocationLog({ logger }))
    .use(classifyErrors({ logger }))
    .handler(handler);
  return { fn, lines: () => lines.filter((line) => line.message === "DescribeStreamIngest") };
}

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 10_000 } as never;

describe("invocationLog", () => {
  it("writes the handler's outcome with its cost and passes the plain result on", async () => {
    const { fn, lines } = stack(async () => success);
    await expect(fn({ SdkAppId: 1, TaskId: "a" }, context)).resolves.toEqual(success.result);
    expect(lines()).toEqual([expect.objectContaining({ requestId: "req-1", eventKind: "direct", outcome: "InProgress", ok: true, attempts: 2, upstreamLatencyMs: 7, upstreamRequestId: "r-1" })]);
  });

  it("writes a thrown failure as classified, with no cost", async () => {
    const { fn, lines } = stack(async () => {
      throw new TrtcFunctionError("InvalidConfiguration.Region", "bad region");
    });
    await expect(fn({}, context)).resolves.toMatchObject({ ok: false, error: { code: "InvalidConfiguration.Region" } });
    expect(lines()).toEqual([expect.objectContaining({ level: "error", outcome: "InvalidConfiguration.Region", ok: false, attempts: 0 })]);
  });

  it("one line, not two, when a middleware outside it throws after the result (a workflow error, a bug)", async () => {
    const failed: Outcome = { result: { ok: false, sdkAppId: 1, taskId: "a", error: { code: "UpstreamTimeout", message: "late", retryable: true }, requestId: null }, stats: { attempts: 3, upstreamMs: 9000 } };
    const workflow = stack(async () => failed, [workflowErrors({ throwOnError: () => true })]);
    await expect(workflow.fn({ SdkAppId: 1, TaskId: "a" }, context)).rejects.toMatchObject({ name: "UpstreamTimeout" });
    expect(workflow.lines()).toEqual([expect.objectContaining({ outcome: "UpstreamTimeout", attempts: 3 })]);

    const broken = stack(async () => success, [{ after: () => { throw new Error("bug in an outer after hook"); } }]);
    await expect(broken.fn({ SdkAppId: 1, TaskId: "a" }, context)).resolves.toMatchObject({ ok: false, error: { code: "InternalError.Function" } });
    expect(broken.lines()).toHaveLength(1);
  });
});

/**
 * An HTTP 4xx without TRTC's envelope. TRTC's API answers every API error as HTTP 200 with `Response.Error`, so a
 * 401/403/404/405/407 page comes from something between the function and TRTC (a proxy, a private link, a WAF) that
 * TRTC_ENDPOINT_URL / TRTC_ENDPOINT point at: retrying cannot help, and the operator must act. It must be a code
 * whose documented retryability is "no" — not `UpstreamHttpError`, which the README's table (and so every workflow
 * definition that retries by name) calls retryable, while the payload said `retryable: false`.
 * The upstream is a plain HTTP server standing in for such a gateway, through the built bundle and the real SDK.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeErrorCode } from "../../lib/errors";
import { awsContext, captureStdout, loadBundle, quietly, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, functionEnv } from "../support/emulator";
import { awsHttpApiEvent } from "../support/events";

let server: Server;
let status = 404;
let requests = 0;
let fn: Bundle;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(status, { "content-type": "text/html" });
    res.end(`<html><body>${status}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fn = loadBundle(functionEnv(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "AKIDfourHundredCase00000000000000", "FourHundredKey0000000000000000"));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const retriedNames = (): string[] => {
  const definition = JSON.parse(readFileSync(join(__dirname, "..", "..", "examples", "step-functions", "poll-relay-task.asl.json"), "utf8"));
  return definition.States.DescribeRelayTask.Retry.flatMap((retrier: { ErrorEquals: string[] }) => retrier.ErrorEquals);
};

describe.each([401, 403, 404, 405, 407])("HTTP %i without TRTC's envelope", (code) => {
  it("is InvalidConfiguration.Endpoint, not retried, answered 500 over HTTP, and thrown under a name no retrier lists", async () => {
    status = code;
    requests = 0;
    const direct = await quietly(() => fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(5000)));
    expect(direct).toMatchObject({ ok: false, sdkAppId: APP, taskId: DEMO_TASK, error: { code: "InvalidConfiguration.Endpoint", retryable: false }, requestId: null });
    expect(direct.error.message).toContain(String(code));
    expect(describeErrorCode(direct.error.code).retryable).toBe(direct.error.retryable); // the table and the payload agree
    expect(requests).toBe(1); // the default three attempts: none spent on it

    const http = await quietly(() => fn.main_handler(awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }), scfContext(5000)));
    expect(http.statusCode).toBe(500);

    const thrown = await quietly(() => fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK, throwOnError: true }, awsContext(5000))).catch((error: Error) => error);
    expect(thrown).toBeInstanceOf(Error);
    expect(retriedNames()).not.toContain((thrown as Error).name);
  });
});

it("HTTP 408 and 429 without an envelope stay UpstreamHttpError, retryable, as the table says", async () => {
  for (const code of [408, 429]) {
    status = code;
    const { value } = await captureStdout(() => fn.handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(1500)));
    expect(value).toMatchObject({ ok: false, error: { code: "UpstreamHttpError", retryable: true } });
  }
});

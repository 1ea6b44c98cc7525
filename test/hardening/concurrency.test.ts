/**
 * Many invocations in flight in one process at once (SCF's multi-concurrency mode, a load test): each keeps its
 * own result, log line and request id, and what reaches TRTC carries the id of the invocation that sent it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { awsHttpApiEvent, tencentApiGatewayEvent } from "../support/events";
import { captureAll } from "../support/fuzz-capture";

const IN_FLIGHT = 240;

let emulator: RunningEmulator;
let fn: Bundle;
const running: string[] = [];

beforeAll(async () => {
  let env: Record<string, string | undefined>;
  // The rate limit is not under test here: a high one keeps every call an answer, not a throttle.
  ({ emulator, env } = await startTestEmulator({ rateLimitPerSecond: 100_000 }));
  for (let i = 0; i < 8; i++) running.push(emulator.seedTask({ SdkAppId: APP, TaskId: `concurrent-task-${i}` }));
  // Nor is the container's pacer (at its default it would space these 240 over 13 s).
  fn = loadBundle({ ...env, LOG_LEVEL: "info", TRTC_RATE_LIMIT_PER_SECOND: "1000" });
});
afterAll(() => emulator?.close());

interface Case {
  requestId: string;
  event: unknown;
  context: unknown;
  entry: "handler" | "main_handler";
  http: boolean;
  taskId: string;
  outcome: string;
  upstream: boolean;
}

/** A varied crowd: AWS and SCF contexts, direct and HTTP events, running, ended and invalid tasks, upstream faults. */
function makeCase(i: number): Case {
  const requestId = `${i % 2 ? "scf" : "aws"}-concurrent-${i}`;
  const context = i % 2 ? scfContext(20_000, requestId) : awsContext(20_000, requestId);
  const entry = i % 2 ? "main_handler" : "handler";
  const variant = i % 6;
  const taskId = variant === 0 ? running[i % running.length]! : variant === 1 ? DEMO_TASK : variant === 5 ? `bad task ${i}` : `ended-${i}`;
  const outcome = variant === 5 ? "InvalidParameter.TaskId" : variant <= 1 ? "InProgress" : "NotExist";
  const params = { SdkAppId: String(APP), TaskId: taskId };
  const http = variant === 2 || variant === 3;
  const event = variant === 2 ? awsHttpApiEvent({ query: params }) : variant === 3 ? tencentApiGatewayEvent({ method: "POST", body: JSON.stringify(params) }) : { ...params };
  return { requestId, event, context, entry, http, taskId, outcome, upstream: variant !== 5 };
}

it(`${IN_FLIGHT} invocations in flight at once keep their results, log lines and request ids apart`, async () => {
  // Every upstream answer is held 150 ms, so all invocations overlap.
  emulator.addFault({ fault: { type: "latency", ms: 150 } });
  const cases = Array.from({ length: IN_FLIGHT }, (_, i) => makeCase(i));
  let inFlight = 0;
  let maxInFlight = 0;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on("warning", onWarning);
  const started = Date.now();
  const { value: results, lines } = await captureAll(() =>
    Promise.all(
      cases.map(async (c) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await fn[c.entry](c.event, c.context);
        } finally {
          inFlight--;
        }
      }),
    ),
  );
  const elapsed = Date.now() - started;
  emulator.clearFaults();
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  process.off("warning", onWarning);

  expect(maxInFlight).toBe(IN_FLIGHT);
  // Overlapping, not queued one behind the other (that would take IN_FLIGHT × 150 ms).
  expect(elapsed).toBeLessThan((IN_FLIGHT * 150) / 4);

  // Results: each answer belongs to its own request.
  cases.forEach((c, i) => {
    const payload = c.http ? JSON.parse(results[i].body) : results[i];
    if (c.outcome.includes(".")) {
      expect(payload).toMatchObject({ ok: false, sdkAppId: APP, taskId: null, error: { code: c.outcome } });
    } else {
      expect(payload).toMatchObject({ ok: true, sdkAppId: APP, taskId: c.taskId, status: c.outcome, running: c.outcome === "InProgress" });
    }
  });

  // Log lines: exactly one per invocation, with that invocation's id, task and outcome.
  // The in-process emulator's latency sleeps share one AbortSignal, so Node warns about its listeners; a warning
  // raised by the function itself would be a leak across invocations.
  const own = warnings.filter((w) => !/[\\/]emulator[\\/]/.test(w.stack ?? ""));
  expect(own.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  const nodeWarning = /^\(node:\d+\) |^\(Use `node --trace-warnings/;
  const stray = lines.filter((line) => !line.startsWith("{") && !nodeWarning.test(line));
  expect(stray, "output that is not a log line").toEqual([]);
  const logged = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
  expect(logged).toHaveLength(IN_FLIGHT);
  const byId = new Map(logged.map((line) => [line.requestId, line]));
  expect(byId.size).toBe(IN_FLIGHT);
  for (const c of cases) {
    expect(byId.get(c.requestId)).toMatchObject({
      requestId: c.requestId,
      platform: c.requestId.startsWith("scf") ? "scf" : "aws",
      outcome: c.outcome,
      taskId: c.upstream ? c.taskId : null,
    });
  }

  // Upstream: every request carries the trace id of the invocation that sent it, and that invocation's TaskId.
  // Identical queries in flight together share one request (the container's single-flight): at least one request
  // per distinct task, at most one per invocation.
  const stats = emulator.stats();
  const upstreamCases = cases.filter((c) => c.upstream);
  const distinctTasks = new Set(upstreamCases.map((c) => c.taskId)).size;
  expect(stats.requests).toBeGreaterThanOrEqual(distinctTasks);
  expect(stats.requests).toBeLessThanOrEqual(upstreamCases.length);
  const caseById = new Map(cases.map((c) => [c.requestId, c]));
  for (const entry of stats.log) {
    const c = caseById.get(entry.traceId ?? "");
    expect(c, `upstream request with unknown trace id ${entry.traceId}`).toBeDefined();
    expect(entry.taskId).toBe(c!.taskId);
    expect(entry.status).toBe(c!.outcome);
  }
  expect(new Set(stats.log.map((entry) => entry.traceId)).size).toBe(stats.requests);
  console.log(
    `[hardening/concurrency] ${IN_FLIGHT} invocations in flight at once (max ${maxInFlight}), answered in ${elapsed} ms,` +
      ` ${stats.requests} upstream requests over ${stats.connections} connections; results, log lines and trace ids all matched`,
  );
}, 60_000);

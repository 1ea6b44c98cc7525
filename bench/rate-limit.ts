/**
 * Children for the rate-limit figures.
 *   one    (b) one of 60 processes: loads the bundle, says "ready", and on "go" invokes it once with an AWS context
 *              that has 15 s left (the function's default retry policy and budget).
 *   batch  (a) one process: invokes the bundle once with a batch query {SdkAppId, TaskIds: [...]}.
 *   poll   (fleet) one of many containers: on "go", asks the tasks of BENCH_TASK_IDS in turn, one every
 *              BENCH_POLL_EVERY_MS, for BENCH_POLL_MS; reports each answer's latency and whether it was cached.
 *   ideal  (fleet) the limit's physical bound: the bare SDK sends BENCH_REQUESTS requests exactly 1000/20 ms apart
 *              (what 20 per second allows at best) and reports when the last was answered.
 *   (one takes BENCH_TASK_ID when set: the fleet burst asks one task per container.)
 */
import { APP, DEMO_TASK, awsContext, deepSdkClient, env, fail, report, waitFor, type Handler } from "./support";

async function one(): Promise<void> {
  const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
  process.send!({ type: "ready" });
  await waitFor("go");
  const started = Date.now();
  const result = await handler({ SdkAppId: APP, TaskId: process.env.BENCH_TASK_ID ?? DEMO_TASK }, awsContext(15_000));
  report({
    startedAt: started,
    answeredAt: Date.now(),
    ok: result?.ok === true,
    status: result?.status ?? null,
    code: result?.error?.code ?? null,
  });
}

async function batch(): Promise<void> {
  const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
  const taskIds = JSON.parse(env("BENCH_TASK_IDS")) as string[];
  const sdkAppId = Number(env("BENCH_SDK_APP_ID"));
  const started = process.hrtime.bigint();
  const result = await handler({ SdkAppId: sdkAppId, TaskIds: taskIds }, awsContext(Number(process.env.BENCH_REMAINING_MS ?? 15_000)));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const results: any[] | undefined = Array.isArray(result?.results) ? result.results : undefined;
  report({
    elapsedMs,
    supported: results !== undefined,
    ok: result?.ok ?? null,
    topLevelError: results ? null : (result?.error?.code ?? null),
    results: results?.length ?? 0,
    answered: results?.filter((r) => r?.ok === true && typeof r.status === "string").length ?? 0,
    throttlingErrors: results?.filter((r) => typeof r?.error?.code === "string" && r.error.code.startsWith("RequestLimitExceeded")).length ?? 0,
    otherErrors: results?.filter((r) => r?.ok !== true && !String(r?.error?.code ?? "").startsWith("RequestLimitExceeded")).length ?? 0,
  });
}

async function poll(): Promise<void> {
  const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
  const taskIds = JSON.parse(env("BENCH_TASK_IDS")) as string[];
  const everyMs = Number(env("BENCH_POLL_EVERY_MS"));
  const forMs = Number(env("BENCH_POLL_MS"));
  process.send!({ type: "ready" });
  await waitFor("go");
  const until = Date.now() + forMs;
  const answers: Array<{ ms: number; ok: boolean; cached: boolean; code: string | null }> = [];
  for (let i = Number(process.env.BENCH_OFFSET ?? 0); Date.now() < until; i++) {
    const started = Date.now();
    const result = await handler({ SdkAppId: APP, TaskId: taskIds[i % taskIds.length] }, awsContext(15_000));
    answers.push({ ms: Date.now() - started, ok: result?.ok === true, cached: result?.cached === true, code: result?.error?.code ?? null });
    const next = everyMs - (Date.now() - started);
    if (next > 0) await new Promise((resolve) => setTimeout(resolve, next));
  }
  report({ answers });
}

async function ideal(): Promise<void> {
  const client = deepSdkClient(env("TRTC_ENDPOINT_URL"));
  const count = Number(env("BENCH_REQUESTS"));
  await client.DescribeStreamIngest({ SdkAppId: APP, TaskId: DEMO_TASK }); // the connection, before the clock starts
  process.send!({ type: "ready" });
  await waitFor("go");
  const started = Date.now();
  const ends = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * 1000) / 20));
      const ok = await client.DescribeStreamIngest({ SdkAppId: APP, TaskId: DEMO_TASK }).then(() => true, () => false);
      return { at: Date.now() - started, ok };
    }),
  );
  report({ slowestMs: Math.max(...ends.map((e) => e.at)), failed: ends.filter((e) => !e.ok).length });
}

const mode = process.argv[2];
const modes: Record<string, () => Promise<void>> = { one, batch, poll, ideal };
(modes[mode ?? ""]?.() ?? Promise.reject(new Error(`rate-limit: unknown mode ${mode}`))).catch(fail);

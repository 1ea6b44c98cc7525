/**
 * Children for the rate-limit figures.
 *   one    (b) one of 60 processes: loads the bundle, says "ready", and on "go" invokes it once with an AWS context
 *              that has 15 s left (the function's default retry policy and budget).
 *   batch  (a) one process: invokes the bundle once with a batch query {SdkAppId, TaskIds: [...]}.
 */
import { APP, DEMO_TASK, awsContext, env, fail, report, waitFor, type Handler } from "./support";

async function one(): Promise<void> {
  const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
  process.send!({ type: "ready" });
  await waitFor("go");
  const started = Date.now();
  const result = await handler({ SdkAppId: APP, TaskId: DEMO_TASK }, awsContext(15_000));
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

const mode = process.argv[2];
(mode === "one" ? one() : mode === "batch" ? batch() : Promise.reject(new Error(`rate-limit: unknown mode ${mode}`))).catch(fail);

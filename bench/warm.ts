/**
 * Child: warm overhead in one process. The bundle (TRTC_ENDPOINT_URL → emulator A) and a bare SDK client (the TRTC
 * client module with a keep-alive agent → emulator B, an identical instance in the same emulator process) are warmed
 * up, then timed in alternation, one call of each per round, in random order. Every bundle invocation goes through
 * the whole middy stack and writes its log line to stdout, as on Lambda.
 */
import { APP, DEMO_TASK, awsContext, deepSdkClient, env, fail, median, percentile, report, type Handler } from "./support";

async function main(): Promise<void> {
  const samples = Number(process.env.BENCH_SAMPLES ?? 2000);
  const warmup = Number(process.env.BENCH_WARMUP ?? 300);
  const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
  const client = deepSdkClient(env("BENCH_SDK_URL"));
  const event = { SdkAppId: APP, TaskId: DEMO_TASK };

  const viaBundle = async () => {
    const context = awsContext(15_000);
    const start = process.hrtime.bigint();
    const result = await handler(event, context);
    const ns = process.hrtime.bigint() - start;
    if (result?.status !== "InProgress") throw new Error(`bundle answered ${JSON.stringify(result)}`);
    return Number(ns) / 1e6;
  };
  const viaSdk = async () => {
    const start = process.hrtime.bigint();
    const response = await client.DescribeStreamIngest(event);
    const ns = process.hrtime.bigint() - start;
    if (response.Status !== "InProgress") throw new Error(`SDK answered ${JSON.stringify(response)}`);
    return Number(ns) / 1e6;
  };

  for (let i = 0; i < warmup; i++) {
    await viaBundle();
    await viaSdk();
  }
  const bundle: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (Math.random() < 0.5) {
      bundle.push(await viaBundle());
      sdk.push(await viaSdk());
    } else {
      sdk.push(await viaSdk());
      bundle.push(await viaBundle());
    }
  }
  report({
    invocations: warmup + samples,
    bundle: { median: median(bundle), p90: percentile(bundle, 90) },
    sdk: { median: median(sdk), p90: percentile(sdk, 90) },
  });
}

main().catch(fail);

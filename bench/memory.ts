/**
 * Child (run with --expose-gc): memory over 10,000 warm invocations. `bundle` invokes the deployed bundle, `sdk`
 * calls DescribeStreamIngest on a bare SDK client (the TRTC client module, keep-alive agent). After every 1,000th
 * call a full GC runs and RSS, heap and old space are sampled, so the figures compare retained memory, not garbage.
 * Old space after a full GC is where anything kept from one invocation to the next ends up. Its committed size
 * (pages V8 holds, which is what RSS sees) is sampled beside its used size: objects that outlive a young-generation
 * collection are promoted and die in old space, which then grows in pages while its used size stays flat.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { APP, DEMO_TASK, awsContext, deepSdkClient, env, fail, report, type Handler } from "./support";

const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const mode = process.argv[2];
  const total = Number(process.env.BENCH_INVOCATIONS ?? 10_000);
  const every = Number(process.env.BENCH_SAMPLE_EVERY ?? 1000);
  const event = { SdkAppId: APP, TaskId: DEMO_TASK };
  let call: () => Promise<string | undefined>;
  if (mode === "bundle") {
    const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
    call = async () => (await handler(event, awsContext(15_000)))?.status;
  } else if (mode === "sdk") {
    const client = deepSdkClient(env("TRTC_ENDPOINT_URL"));
    call = async () => (await client.DescribeStreamIngest(event)).Status;
  } else {
    throw new Error(`memory: unknown mode ${mode}`);
  }
  if (!gc) throw new Error("memory: run with --expose-gc");

  const samples: Array<{ at: number; rssMB: number; heapUsedMB: number; oldSpaceMB: number; oldSpaceCommittedMB: number; codeSpaceMB: number }> = [];
  const space = (name: string) => getHeapSpaceStatistics().find((s) => s.space_name === name);
  const spaceUsed = (name: string) => (space(name)?.space_used_size ?? 0) / 2 ** 20;
  const spaceCommitted = (name: string) => (space(name)?.space_size ?? 0) / 2 ** 20;
  for (let i = 1; i <= total; i++) {
    const status = await call();
    if (status !== "InProgress") throw new Error(`memory ${mode}: call ${i} answered ${status}`);
    if (i % every === 0) {
      gc();
      const { rss, heapUsed } = process.memoryUsage();
      samples.push({ at: i, rssMB: rss / 2 ** 20, heapUsedMB: heapUsed / 2 ** 20, oldSpaceMB: spaceUsed("old_space"), oldSpaceCommittedMB: spaceCommitted("old_space"), codeSpaceMB: spaceUsed("code_space") });
    }
  }
  report({ mode, samples });
}

main().catch(fail);

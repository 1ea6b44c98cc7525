/**
 * Child: from nothing loaded to the first answer, in a fresh process. `bundle`: require the bundle (pointed at the
 * emulator by TRTC_ENDPOINT_URL) and invoke it once. `sdk`: require tencentcloud-sdk-nodejs as its README shows,
 * construct the TRTC client and call DescribeStreamIngest once. `sdk-deep`: the same with only the TRTC client module
 * (informational, a stricter baseline). Each includes client construction, credentials, signing and one request.
 */
import { APP, DEMO_TASK, awsContext, deepSdkClient, env, fail, msSince, readmeSdkClient, report, type Handler } from "./support";

async function main(): Promise<void> {
  const mode = process.argv[2];
  const url = env("TRTC_ENDPOINT_URL");
  const event = { SdkAppId: APP, TaskId: DEMO_TASK };
  const context = awsContext(15_000);
  let status: string | undefined;
  const start = process.hrtime.bigint();
  if (mode === "bundle") {
    const { handler } = require(env("BENCH_BUNDLE")) as { handler: Handler };
    const result = await handler(event, context);
    status = result?.status;
  } else if (mode === "sdk" || mode === "sdk-deep") {
    const client = mode === "sdk" ? readmeSdkClient(url) : deepSdkClient(url);
    const response = await client.DescribeStreamIngest(event);
    status = response.Status;
  } else {
    throw new Error(`first-answer: unknown mode ${mode}`);
  }
  const totalMs = msSince(start);
  if (status !== "InProgress") throw new Error(`first-answer ${mode}: expected InProgress, got ${status}`);
  report({ mode, totalMs });
}

main().catch(fail);

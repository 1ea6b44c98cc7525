// Loads an unpacked deployment artifact the way the platform's Node.js runtime does and invokes its handler.
// Runs in a fresh `node` process whose working directory is the unpacked package (no node_modules in reach).
//   node platform-runner.cjs <task root> <handler, e.g. index.main_handler> <aws|scf>   (events as JSON on stdin)
// Prints one JSON line: { results: [...] } or { loadError }.
"use strict";
const path = require("node:path");

const [taskRoot, handlerSpec, platform] = process.argv.slice(2);

function awsContext(requestId) {
  const deadline = Date.now() + 15000;
  return {
    awsRequestId: requestId,
    functionName: "trtc-stream-ingest-status-dev-describeStreamIngest",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:ap-southeast-1:123456789012:function:trtc-stream-ingest-status-dev-describeStreamIngest",
    memoryLimitInMB: "256",
    logGroupName: "/aws/lambda/trtc-stream-ingest-status-dev-describeStreamIngest",
    logStreamName: "2026/11/24/[$LATEST]0123456789abcdef",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function scfContext(requestId) {
  const deadline = Date.now() + 15000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    memory_limit_in_mb: 128,
    time_limit_in_ms: 15000,
    request_id: requestId,
    environment: JSON.stringify({ SCF_NAMESPACE: "default" }),
    environ: "SCF_NAMESPACE=default;",
    function_version: "$LATEST",
    function_name: "trtc-stream-ingest-status",
    namespace: "default",
    tencentcloud_region: "ap-singapore",
    tencentcloud_appid: "1250000000",
    tencentcloud_uin: "100000000001",
  };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const events = JSON.parse(Buffer.concat(chunks).toString("utf8"));

  // "dist/describe-stream-ingest/index.handler" → module dist/describe-stream-ingest/index, export handler.
  const dot = handlerSpec.lastIndexOf(".");
  const modulePath = path.resolve(taskRoot, handlerSpec.slice(0, dot));
  let handler;
  try {
    handler = require(modulePath)[handlerSpec.slice(dot + 1)];
    if (typeof handler !== "function") throw new Error(`${handlerSpec} is not a function`);
  } catch (error) {
    process.stdout.write(JSON.stringify({ loadError: String(error && error.stack || error) }) + "\n");
    process.exit(1);
  }

  const results = [];
  for (let i = 0; i < events.length; i++) {
    const requestId = `${platform}-artifact-${i}`;
    const context = platform === "aws" ? awsContext(requestId) : scfContext(requestId);
    try {
      results.push({ value: await handler(events[i], context) });
    } catch (error) {
      results.push({ thrown: { name: error && error.name, message: error && error.message } });
    }
  }
  // The runtimes do not wait for the keep-alive socket to close; neither do we.
  process.stdout.write("\n" + JSON.stringify({ results }) + "\n", () => process.exit(0));
}

main();

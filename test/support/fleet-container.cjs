// One container of a fleet test: a worker thread of the fleet's host process (fleet-host.cjs) that loads the built
// bundle (its copy of the host's environment configures it) and runs what the test asks, as Lambda/SCF would.
// Plain CommonJS: nothing but the bundle is loaded into its module cache.
//   { id, type: "invoke", event, remainingMs }            -> { id, result, ms }
//   { id, type: "poll", events, everyMs, forMs, remainingMs } -> { id, results: [{ result, ms, at }] }  (sequential loop)
//   { id, type: "resources" }                               -> { id, resources: process.getActiveResourcesInfo() }
//                                                              (this thread's event loop only)
//   { id, type: "modules" }                                 -> { id, modules: Object.keys(require.cache) }
//   { id, type: "store", ops: [[method, ...args]] }         -> { id, results, faults }  (a store of this container's own,
//        from the artifact's fleet-redis.js and its TRTC_REDIS_* environment, as the bundle makes it; made on first use)
// What it writes to stdout and stderr goes to the test as { type: "output", stream, text } on the same channel as the
// replies, so a test that has an answer also has every log line written before it.
// FLEET_CLOCK_OFFSET_MS: this container's clock runs that far ahead (negative: behind), as a host's clock may.
const { parentPort, threadId } = require("node:worker_threads");

for (const name of ["stdout", "stderr"]) {
  process[name].write = (chunk, encoding, callback) => {
    parentPort.postMessage({ type: "output", stream: name, text: typeof chunk === "string" ? chunk : Buffer.from(chunk).toString() });
    (typeof encoding === "function" ? encoding : callback)?.();
    return true;
  };
}

const offset = Number(process.env.FLEET_CLOCK_OFFSET_MS || 0);
if (offset) {
  const real = Date.now;
  Date.now = () => real() + offset;
}
const { handler } = require(process.env.FLEET_BUNDLE);
const { dirname, join } = require("node:path");

let store;
const storeFaults = [];
async function storeOps(ops) {
  if (!store) {
    const { createRedisStore } = require(join(dirname(process.env.FLEET_BUNDLE), "fleet-redis.js"));
    const env = process.env;
    store = createRedisStore({
      url: env.TRTC_REDIS_URL,
      timeoutMs: Number(env.TRTC_REDIS_TIMEOUT_MS || 50),
      scope: env.TRTC_REDIS_SCOPE || "default",
      cluster: env.TRTC_REDIS_CLUSTER === "true",
      onFault: (kind) => storeFaults.push(kind),
    });
  }
  const results = [];
  for (const [method, ...args] of ops) results.push((await store[method](...args)) ?? null);
  return { results, faults: storeFaults };
}

function awsContext(remainingMs) {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: `fleet-${process.pid}-${threadId}-${Math.random().toString(16).slice(2)}`,
    functionName: "trtc-stream-ingest-status",
    invokedFunctionArn: "arn:aws:lambda:ap-southeast-1:123456789012:function:trtc-stream-ingest-status",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function invoke(event, remainingMs) {
  const started = Date.now();
  const result = await handler(event, awsContext(remainingMs));
  return { result, ms: Date.now() - started, at: started };
}

parentPort.on("message", async (message) => {
  const reply = (body) => parentPort.postMessage({ id: message.id, ...body });
  if (message.type === "invoke") reply(await invoke(message.event, message.remainingMs));
  else if (message.type === "poll") {
    const results = [];
    const until = Date.now() + message.forMs;
    let round = 0;
    while (Date.now() < until) {
      const event = message.events[round++ % message.events.length];
      results.push(await invoke(event, message.remainingMs));
      const next = message.everyMs - (Date.now() - results[results.length - 1].at);
      if (next > 0) await new Promise((resolve) => setTimeout(resolve, next));
    }
    reply({ results });
  } else if (message.type === "resources") reply({ resources: process.getActiveResourcesInfo() });
  else if (message.type === "modules") reply({ modules: Object.keys(require.cache) });
  else if (message.type === "store") reply(await storeOps(message.ops));
});
parentPort.postMessage({ type: "ready" });

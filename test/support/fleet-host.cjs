// The process fleet containers run in (test/support/fleet.ts starts it with the fleets' environment): each container
// is a worker thread here (fleet-container.cjs) with the environment it is given as its process.env, and its own
// module instances, event loop and sockets. What Node reads only at process start (NODE_EXTRA_CA_CERTS) is this
// process's, for all of them.
// Messages from the test (IPC), each for one container `c`:
//   { c, type: "start", env }  -> { c, type: "ready" } once its bundle is loaded, or { c, type: "exit", error }
//   { c, type: "kill" }        -> the worker is terminated (its sockets closed, as a killed process's are),
//                                 then { c, type: "exit" }
//   { c, id, type, ... }       -> passed to the container; its reply comes back as { c, id, ... }
// and { c, type: "output", stream, text } for what a container writes to stdout or stderr, in order with its replies.
const { Worker } = require("node:worker_threads");
const { join } = require("node:path");

const CONTAINER = join(__dirname, "fleet-container.cjs");
const workers = new Map();

function start(c, env) {
  // stdout/stderr: true keeps anything a container writes past its own capture off this process's output;
  // it is passed on like the rest.
  const worker = new Worker(CONTAINER, { env, stdout: true, stderr: true });
  workers.set(c, worker);
  let error;
  for (const stream of ["stdout", "stderr"]) worker[stream].on("data", (chunk) => process.send({ c, type: "output", stream, text: chunk.toString() }));
  worker.on("message", (message) => process.send({ c, ...message }));
  worker.on("error", (e) => (error = e.stack || String(e)));
  worker.on("exit", () => {
    workers.delete(c);
    process.send({ c, type: "exit", error });
  });
}

process.on("message", (message) => {
  if (message.type === "start") start(message.c, message.env);
  else if (message.type === "kill") workers.get(message.c)?.terminate();
  else workers.get(message.c)?.postMessage(message);
});
// The test's process is gone (or done with this fleet): so are its containers.
process.on("disconnect", () => process.exit(0));

// Node built-ins that bundled code imports at load time but needs only on paths this function never or rarely takes.
// Each stand-in loads the real module on first use of one of its names (build/build.ts maps the imports here):
//   node:stream/web, node:stream/promises  @middy/core, for streamed responses (streamifyResponse; not used here)
//   readline                               the SDK's server-sent-events parser (SSE actions; not DescribeStreamIngest)
//   zlib                                   lib/transport/fetch.ts, to inflate a compressed response body
// Loading them costs ~3 ms of every cold start. A name not listed throws at once, naming itself, rather than reading
// as undefined somewhere far away; test/deploy/shims.test.ts checks the lists against what the bundle uses.
const PASS = new Set(["__esModule", "default", "then", "toJSON", "constructor"]); // module-interop and inspection probes

function lazy(id, names) {
  let real;
  const load = () => (real ??= require(id));
  const stand = {};
  for (const name of names) Object.defineProperty(stand, name, { enumerable: true, get: () => load()[name] });
  return new Proxy(stand, {
    get(target, name, receiver) {
      if (typeof name === "symbol" || Object.hasOwn(target, name) || PASS.has(name)) return Reflect.get(target, name, receiver);
      throw new Error(`build/shims/lazy-builtins.js: ${id}.${name} is used but not listed; add it to the list for ${id}`);
    },
  });
}

exports["stream/web"] = lazy("node:stream/web", ["ReadableStream"]);
exports["stream/promises"] = lazy("node:stream/promises", ["pipeline"]);
exports.readline = lazy("node:readline", ["createInterface"]);
exports.zlib = lazy("node:zlib", ["constants", "createGunzip", "createInflate", "createBrotliDecompress"]);

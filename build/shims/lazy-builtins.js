// Node built-ins that bundled code imports at load time but needs only on paths this function never or rarely takes.
// Each stand-in loads the real module on first use of one of its names (build/build.ts maps the imports here):
//   node:stream/web, node:stream/promises  @middy/core, for streamed responses (streamifyResponse; not used here)
//   readline                               the SDK's server-sent-events parser (SSE actions; not DescribeStreamIngest)
//   zlib                                   node-fetch, to inflate a compressed response body
// Loading them costs ~3 ms of every cold start.
function lazy(id, names) {
  let real;
  const load = () => (real ??= require(id));
  const stand = {};
  for (const name of names) Object.defineProperty(stand, name, { enumerable: true, get: () => load()[name] });
  return stand;
}

exports["stream/web"] = lazy("node:stream/web", ["ReadableStream"]);
exports["stream/promises"] = lazy("node:stream/promises", ["pipeline"]);
exports.readline = lazy("node:readline", ["createInterface"]);
exports.zlib = lazy("node:zlib", ["Z_SYNC_FLUSH", "createGunzip", "createInflate", "createInflateRaw", "createBrotliDecompress", "constants"]);

// The SDK serialises request bodies (and hashes them for the signature) with json-bigint, to keep integers above
// 2^53 exact. This function's only request is { SdkAppId: number <= 2^32, TaskId: visible ASCII }, for which
// json-bigint and JSON produce the same bytes; aliasing it keeps bignumber.js (19 KB) out of the bundle.
module.exports = function jsonBigint() {
  return { parse: JSON.parse, stringify: JSON.stringify };
};

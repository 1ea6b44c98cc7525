// node-fetch tries `require('encoding').convert` at load time, for Response#textConverted(), which the SDK never
// calls. The package is not installed, so at run time the attempt is a failed module search through node_modules
// directories on every cold start. This module ends the search the same way: `convert` is undefined, on purpose
// (listed, so test/deploy/shims.test.ts sees it is meant).
module.exports = { convert: undefined };

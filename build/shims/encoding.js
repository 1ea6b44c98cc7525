// node-fetch tries `require('encoding')` at load time, for Response#textConverted(), which the SDK never calls. The
// package is not installed, so at run time the attempt is a failed module search through node_modules directories on
// every cold start. This empty module ends the search the same way: `convert` stays undefined.
module.exports = {};

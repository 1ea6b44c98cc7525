// node-fetch v2 takes Node's own URL when it exists (`Url.URL || whatwgUrl.URL`); on Node >= 10 it always does.
// Aliasing whatwg-url to the built-in keeps its 260 KB Unicode table (tr46) out of the bundle.
exports.URL = globalThis.URL;

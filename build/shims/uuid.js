// The SDK uses uuid only for `v4()`, to make an X-TC-TraceId when the caller sends none (this function always sends
// one). The uuid package defines every version at load time (9 KB, ~1 ms of a cold start); Node's own
// crypto.randomUUID() is an RFC 4122 version 4 UUID too.
const { randomUUID } = require("node:crypto");
exports.v4 = () => randomUUID();

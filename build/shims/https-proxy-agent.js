// The SDK creates a proxy agent only when no agent is given; this function always passes its own keep-alive agent
// (lib/trtc-client.ts), so the proxy agent (and its `debug` dependency) is never used. To reach TRTC through a
// proxy, set TRTC_ENDPOINT_URL.
module.exports = function HttpsProxyAgent() {
  throw new Error("proxy agents are not supported in this bundle; set TRTC_ENDPOINT_URL instead");
};

/**
 * Child: load time in a fresh process. `bundle` requires the deployed bundle with a production configuration
 * (credentials set, no TRTC_ENDPOINT_URL: the https agent and the SDK client are built as on Lambda); `sdk` requires
 * tencentcloud-sdk-nodejs the way its README shows; `bundle-redis` is `bundle` with TRTC_REDIS_URL set (run.ts sets it),
 * so the Redis file (fleet-redis.js) is loaded and its client built too. Reports milliseconds spent inside require().
 */
import { SDK_PACKAGE, env, fail, msSince, report } from "./support";

function main(): void {
  const mode = process.argv[2];
  const target = mode === "bundle" || mode === "bundle-redis" ? env("BENCH_BUNDLE") : mode === "sdk" ? SDK_PACKAGE : undefined;
  if (!target) throw new Error(`cold-start: unknown mode ${mode}`);
  const start = process.hrtime.bigint();
  const loaded = require(target);
  const loadMs = msSince(start);
  if (mode !== "sdk" && typeof loaded.handler !== "function") throw new Error("the bundle exports no handler");
  if (mode === "sdk" && typeof loaded.trtc?.v20190722?.Client !== "function") throw new Error("the SDK exports no trtc client");
  report({ mode, loadMs });
  if (mode === "bundle-redis") setTimeout(() => process.exit(0), 100); // the client's reconnect timer would keep it alive
}

try {
  main();
} catch (error) {
  fail(error);
}

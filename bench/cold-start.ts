/**
 * Child: load time in a fresh process. `bundle` requires the deployed bundle with a production configuration
 * (credentials set, no TRTC_ENDPOINT_URL: the https agent and the SDK client are built as on Lambda); `sdk` requires
 * tencentcloud-sdk-nodejs the way its README shows. Reports milliseconds spent inside require().
 */
import { SDK_PACKAGE, env, fail, msSince, report } from "./support";

function main(): void {
  const mode = process.argv[2];
  const target = mode === "bundle" ? env("BENCH_BUNDLE") : mode === "sdk" ? SDK_PACKAGE : undefined;
  if (!target) throw new Error(`cold-start: unknown mode ${mode}`);
  const start = process.hrtime.bigint();
  const loaded = require(target);
  const loadMs = msSince(start);
  if (mode === "bundle" && typeof loaded.handler !== "function") throw new Error("the bundle exports no handler");
  if (mode === "sdk" && typeof loaded.trtc?.v20190722?.Client !== "function") throw new Error("the SDK exports no trtc client");
  report({ mode, loadMs });
}

try {
  main();
} catch (error) {
  fail(error);
}

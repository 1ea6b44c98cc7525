/**
 * Builds the deployable bundle: dist/describe-stream-ingest/index.js, one minified CommonJS file for Node 20+,
 * exporting `handler` (AWS Lambda) and `main_handler` (Tencent SCF). Prints its size and largest inputs.
 *
 *   tsx build/build.ts [--analyze]
 */
import { build, type Metafile, type OutputFile, type Plugin } from "esbuild";
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..");
export const BUNDLE_DIR = join(root, "dist", "describe-stream-ingest");
export const BUNDLE_PATH = join(BUNDLE_DIR, "index.js");
/** The Redis client and scripts (lib/fleet/redis-store.ts): a second file, required by index.js only when TRTC_REDIS_URL is set. */
export const REDIS_STORE_FILE = "fleet-redis.js";
export const REDIS_STORE_PATH = join(BUNDLE_DIR, REDIS_STORE_FILE);
/** The bundle budget: cold start is dominated by parsing what we ship (docs/performance.md). */
export const BUNDLE_BUDGET_BYTES = 100 * 1024;

/** Dependencies of the SDK this function never reaches, replaced by small stand-ins (see each shim's comment). */
const shims = {
  "form-data": join(__dirname, "shims", "form-data.js"),
  "https-proxy-agent": join(__dirname, "shims", "https-proxy-agent.js"),
  "json-bigint": join(__dirname, "shims", "json-bigint.js"),
  // Cold start: smaller stand-ins for modules the SDK loads eagerly (test/deploy/shims.test.ts checks them).
  tslib: join(__dirname, "shims", "tslib.js"),
  uuid: join(__dirname, "shims", "uuid.js"),
  // Not a stand-in: the function's own bounded transport replaces node-fetch under the SDK (lib/transport/sdk-fetch.ts).
  "node-fetch": join(root, "lib", "transport", "sdk-fetch.ts"),
};

const LAZY_BUILTINS_FILE = join(__dirname, "shims", "lazy-builtins.js");

/**
 * Built-ins imported at load time but used only on paths this function never or rarely takes are loaded on first
 * use instead (see shims/lazy-builtins.js): `import { pipeline } from "node:stream/promises"` becomes a getter that
 * requires the real module when read.
 */
const lazyBuiltins: Plugin = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?(zlib|readline|stream\/web|stream\/promises)$/ }, (args) => {
      if (args.importer === LAZY_BUILTINS_FILE) return undefined; // the stand-in's own require: the real built-in
      return { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(LAZY_BUILTINS_FILE)})[${JSON.stringify(args.path)}];`,
      loader: "js",
      resolveDir: __dirname,
    }));
  },
};

/** index.js leaves the store's require alone: the file sits beside it in the artifact. */
const redisStoreExternal: Plugin = {
  name: "redis-store-external",
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./${REDIS_STORE_FILE.replace(".", "\\.")}$`) }, (args) => ({ path: args.path, external: true }));
  },
};

/** Both outputs: one minified CommonJS file each, for Node 20 and newer. */
const COMMON = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
} as const;

/** The second file: ioredis and the fleet's scripts, loaded on first use. Its own budget does not count against index.js. */
function buildRedisStore() {
  return build({ ...COMMON, entryPoints: [join(root, "lib", "fleet", "redis-store.ts")], outfile: REDIS_STORE_PATH, write: false }).then(replaceOutputs);
}

/**
 * Writes each output to a temporary file and renames it into place: a process loading the bundle while it is being
 * rebuilt (`npm start` builds it, the tests load it) reads the old file or the new one, never half of one.
 */
function replaceOutputs<T extends { outputFiles?: OutputFile[] }>(result: T): T {
  for (const file of result.outputFiles ?? []) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  return result;
}

export async function buildBundle(): Promise<Metafile> {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const store = buildRedisStore();
  const result = await build({
    ...COMMON,
    entryPoints: [join(root, "functions", "describe-stream-ingest.ts")],
    outfile: BUNDLE_PATH,
    alias: shims,
    plugins: [lazyBuiltins, redisStoreExternal],
    // The AWS SDK v3 is only needed for the optional Secrets Manager path; both Lambda runtimes ship it.
    external: ["@aws-sdk/*"],
    metafile: true,
    write: false,
  }).then(replaceOutputs);
  await store;
  writeFileSync(join(root, "dist", "meta.json"), JSON.stringify(result.metafile));
  return result.metafile;
}

export function largestInputs(meta: Metafile, count = 8): Array<{ path: string; bytes: number }> {
  const output = meta.outputs[relative(root, BUNDLE_PATH)] ?? Object.values(meta.outputs)[0]!;
  return Object.entries(output.inputs)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

if (require.main === module) {
  buildBundle().then((meta) => {
    const output = meta.outputs[relative(root, BUNDLE_PATH)] ?? Object.values(meta.outputs)[0]!;
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`built ${relative(root, BUNDLE_PATH)}: ${kb(output.bytes)} (budget ${kb(BUNDLE_BUDGET_BYTES)})`);
    console.log(`built ${relative(root, REDIS_STORE_PATH)}: ${kb(statSync(REDIS_STORE_PATH).size)} (loaded only with TRTC_REDIS_URL)`);
    if (process.argv.includes("--analyze") || output.bytes > BUNDLE_BUDGET_BYTES) {
      for (const input of largestInputs(meta, 12)) console.log(`  ${kb(input.bytes).padStart(9)}  ${input.path}`);
    }
  }, (error) => {
    console.error(error);
    process.exit(1);
  });
}

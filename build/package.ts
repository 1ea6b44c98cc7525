/**
 * `npm run package`: both deployable artifacts from the one bundle `npm run build` wrote, offline, and their sizes.
 *
 *   dist/aws/            `osls package`: trtc-stream-ingest-status.zip (the bundle at dist/describe-stream-ingest/
 *                        index.js, handler dist/describe-stream-ingest/index.handler) and the CloudFormation templates
 *   dist/scf/describe-stream-ingest.zip
 *                        Tencent SCF: index.js at the zip's root (handler index.main_handler, the runtime that
 *                        deploy/scf/serverless.yml names) and fleet-redis.js beside it (the Redis client, loaded
 *                        only when TRTC_REDIS_URL is set)
 *   dist/scf/describe-stream-ingest/index.js
 *                        the same file unzipped: the `src` directory deploy/scf/serverless.yml uploads
 *
 *   tsx build/package.ts [osls options, e.g. --stage prod --param="trtcRegion=ap-mumbai"]
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { zipSync } from "fflate";
import { BUNDLE_PATH, REDIS_STORE_FILE, REDIS_STORE_PATH } from "./build";

const root = join(__dirname, "..");
const AWS_DIR = join(root, "dist", "aws");
const SCF_DIR = join(root, "dist", "scf");
export const OSLS_BIN = join(root, "node_modules", "osls", "bin", "serverless.js");

/** The SCF runtime, as deploy/scf/serverless.yml sets it: the one place it is written. */
export function scfRuntime(): string {
  const yml = readFileSync(join(root, "deploy", "scf", "serverless.yml"), "utf8");
  const runtime = /^\s+runtime:\s*(\S+)\s*$/m.exec(yml)?.[1];
  if (!runtime) throw new Error("deploy/scf/serverless.yml names no runtime");
  return runtime;
}

const SERVICE_LOCK = join(root, ".serverless.lock");

/**
 * Runs `fn` holding a lock on the service directory: osls writes .serverless/ there whatever --package says, so two
 * `osls package` runs at once (test files run in parallel) would overwrite each other's files. A directory is the
 * lock (mkdir is atomic); one older than two minutes was left by a process that died and is taken over.
 */
function withServiceLock<T>(fn: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const giveUpAt = Date.now() + 120_000; ; ) {
    try {
      mkdirSync(SERVICE_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const heldSince = statSync(SERVICE_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - heldSince > 120_000) rmSync(SERVICE_LOCK, { recursive: true, force: true });
      else if (Date.now() > giveUpAt) throw new Error(`${SERVICE_LOCK} is held: another osls package is running`);
      else Atomics.wait(pause, 0, 0, 50); // a synchronous sleep: packageAws is synchronous
    }
  }
  try {
    return fn();
  } finally {
    rmSync(SERVICE_LOCK, { recursive: true, force: true });
  }
}

/** A fixed timestamp and mode, so the same bundle always gives the same zip (and the same CodeSha256). */
const ZIP_ENTRY = { level: 9, mtime: new Date("1980-01-01T00:00:00Z"), os: 3, attrs: (0o100644 << 16) >>> 0 } as const;

function requireBundle(): void {
  for (const file of [BUNDLE_PATH, REDIS_STORE_PATH]) {
    if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing: run npm run build first`);
  }
}

/** The SCF zip: the bundle as index.js at the root, so SCF's `index.main_handler` finds it, and the Redis file beside it. */
export function packageScf(outDir = SCF_DIR): string {
  requireBundle();
  const code = readFileSync(BUNDLE_PATH);
  const store = readFileSync(REDIS_STORE_PATH);
  const srcDir = join(outDir, "describe-stream-ingest");
  mkdirSync(srcDir, { recursive: true });
  copyFileSync(BUNDLE_PATH, join(srcDir, "index.js"));
  copyFileSync(REDIS_STORE_PATH, join(srcDir, REDIS_STORE_FILE));
  const zip = join(outDir, "describe-stream-ingest.zip");
  writeFileSync(zip, zipSync({ "index.js": [code, ZIP_ENTRY], [REDIS_STORE_FILE]: [store, ZIP_ENTRY] }));
  return zip;
}

/**
 * The environment osls packages with: the quick-start keys (TENCENTCLOUD_SECRET_*) and a local TRTC_ENDPOINT_URL are
 * removed, so a developer's shell never bakes them into dist/aws/'s template. No AWS credentials are needed.
 */
export function oslsEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", FORCE_COLOR: "0" };
  for (const name of ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN", "TRTC_ENDPOINT_URL"]) delete env[name];
  return env;
}

/** The AWS artifacts through `osls package` (serverless.yml ships the bundle as is: one build, no rebuild). */
export function packageAws(oslsArgs: string[] = [], outDir = AWS_DIR): string {
  requireBundle();
  rmSync(outDir, { recursive: true, force: true });
  const zip = join(outDir, "trtc-stream-ingest-status.zip");
  const run = withServiceLock(() =>
    spawnSync(process.execPath, [OSLS_BIN, "package", "--package", outDir, ...oslsArgs], { cwd: root, env: oslsEnv(), encoding: "utf8" }),
  );
  if (run.status !== 0 || !existsSync(zip)) {
    throw new Error(`osls package failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return zip;
}

export function sizeLine(path: string): string {
  return `${relative(root, path)}: ${(statSync(path).size / 1024).toFixed(1)} KB`;
}

if (require.main === module) {
  try {
    const aws = packageAws(process.argv.slice(2).filter((arg) => arg !== "--")); // npm run package -- --stage prod
    const scf = packageScf();
    console.log(`packaged ${sizeLine(aws)} (+ CloudFormation in ${relative(root, AWS_DIR)}/)`);
    console.log(`packaged ${sizeLine(scf)} (handler index.main_handler, runtime ${scfRuntime()})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

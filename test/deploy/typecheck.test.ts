/**
 * The whole project type-checks (tsconfig.json: functions, lib, emulator, build, scripts, test, bench), as
 * `npm run typecheck` does. Here rather than before the suite so that it runs beside the tests that mostly wait.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

it("tsc -p . reports no error", async () => {
  const child = spawn(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "."], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  expect(output).toBe("");
  expect(code).toBe(0);
}, 120_000);

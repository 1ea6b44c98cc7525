/**
 * What the bundle ships has no high or critical advisory (`npm audit --omit=dev`), and the lock file that pins it
 * is committed. The audit needs the registry's advisory endpoint: where it cannot be reached (CI offline, a mirror
 * without /-/npm/v1/security), the test says so and is skipped, never passed.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");

it("the lock file is committed", async () => {
  const { stdout } = await run("git", ["ls-files", "--error-unmatch", "package-lock.json"], { cwd: ROOT });
  expect(stdout.trim()).toBe("package-lock.json");
});

it("npm audit --omit=dev: no high or critical advisory", async (context) => {
  let stdout: string;
  try {
    ({ stdout } = await run("npm", ["audit", "--omit=dev", "--audit-level=high", "--json"], { cwd: ROOT, timeout: 90_000, maxBuffer: 32 * 1024 * 1024 }));
  } catch (error) {
    // npm exits non-zero both for findings and for an unreachable endpoint; the JSON tells them apart.
    stdout = (error as { stdout?: string }).stdout ?? "";
  }
  let report: { metadata?: { vulnerabilities?: Record<string, number> }; vulnerabilities?: Record<string, { severity: string; name: string; via: unknown[] }>; message?: string; error?: { summary?: string } };
  try {
    report = JSON.parse(stdout);
  } catch {
    report = {};
  }
  if (!report.metadata?.vulnerabilities) {
    const why = report.message ?? report.error?.summary ?? (stdout.trim().slice(0, 200) || "no output");
    const note = `DID NOT RUN: the registry's audit endpoint could not be reached (${why}); run \`npm audit --omit=dev --audit-level=high\` where it can`;
    console.log(`[hardening/audit] ${note}`);
    context.skip(note); // the reporter prints the note beside the skipped test, so a green run does not read as audited
    return;
  }
  const counts = report.metadata.vulnerabilities;
  const serious = Object.values(report.vulnerabilities ?? {})
    .filter((v) => v.severity === "high" || v.severity === "critical")
    .map((v) => `${v.name} (${v.severity})`);
  console.log(`[hardening/audit] npm audit --omit=dev: ${JSON.stringify(counts)}`);
  expect(serious).toEqual([]);
  expect((counts.high ?? 0) + (counts.critical ?? 0)).toBe(0);
}, 120_000);

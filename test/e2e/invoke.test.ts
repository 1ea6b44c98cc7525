/** `npm run invoke` end to end: the real script in a child process, the example events, an in-process emulator. */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const EVENTS = join(ROOT, "examples", "events");

function run(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^TENCENTCLOUD_|^TRTC_/.test(name)) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/invoke.ts", ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** The function's answer: a direct result, or the JSON body of an HTTP response. */
function answer(stdout: string): any {
  const result = JSON.parse(stdout);
  return typeof result.statusCode === "number" ? JSON.parse(result.body) : result;
}

describe("npm run invoke", () => {
  const examples = readdirSync(EVENTS).filter((name) => name.endsWith(".json"));

  it("ships an example of every event kind", () => {
    expect(examples).toEqual(expect.arrayContaining(["direct.json", "aws-http-api.json", "aws-rest.json", "function-url.json", "tencent-function-url.json", "tencent-apigw.json"]));
  });

  it.each(examples)("examples/events/%s answers from the emulator (exit 0, result alone on stdout)", async (name) => {
    const { code, stdout, stderr } = await run(["--event", join("examples", "events", name)]);
    expect(code, stderr).toBe(0);
    const body = answer(stdout);
    expect(body).toMatchObject({ ok: true, sdkAppId: 1400000001 });
    expect(body.status).toBe(name.includes("not-exist") ? "NotExist" : "InProgress");
    // The function's log line went to stderr, with the platform the event implies.
    const log = stderr.split("\n").find((line) => line.includes('"message":"DescribeStreamIngest"'));
    expect(JSON.parse(log!)).toMatchObject({ platform: name.startsWith("tencent") ? "scf" : "aws", ok: true });
  });

  it("takes --data, a JSON argument, or stdin", async () => {
    const data = await run(["--data", '{"SdkAppId":1400000001,"TaskId":"no-such-task"}']);
    expect(data.code, data.stderr).toBe(0);
    expect(answer(data.stdout)).toMatchObject({ status: "NotExist", running: false });

    const positional = await run(['{"sdkAppId":"1400000001","taskId":"demo-task-in-progress"}', "--platform", "scf"]);
    expect(positional.code, positional.stderr).toBe(0);
    expect(answer(positional.stdout)).toMatchObject({ status: "InProgress", running: true });
    expect(positional.stderr).toContain('"platform":"scf"');

    const stdin = await run(["-"], '{"SdkAppId":1400000001,"TaskId":"demo-task-in-progress"}');
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(answer(stdin.stdout).status).toBe("InProgress");
  });

  it("exits 1 on a failure result and 2 on a usage error", async () => {
    const invalid = await run(["--data", '{"SdkAppId":"abc","TaskId":"x"}']);
    expect(invalid.code).toBe(1);
    expect(answer(invalid.stdout)).toMatchObject({ ok: false, error: { code: "InvalidParameter.SdkAppId", retryable: false } });

    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: npm run invoke");

    const notJson = await run(["--data", "{nope"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("not JSON");
  });
});

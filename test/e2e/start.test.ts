/**
 * `npm start` end to end: the real script, the real emulator and serverless-offline (under osls) as child processes,
 * real HTTP. Ctrl-C is simulated as a terminal does it: SIGINT to the whole foreground process group.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const READY_TIMEOUT_MS = 150_000;

/** The environment of a fresh shell with no TRTC credentials: emulator mode, free ports. */
function emulatorModeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^TENCENTCLOUD_|^TRTC_/.test(name) || ["PORT", "LAMBDA_PORT", "EMULATOR_PORT"].includes(name)) delete env[name];
  }
  return env;
}

/** Every live descendant of `pid` (ps works on Linux and macOS). */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const rows = execFileSync("ps", ["-A", "-o", "pid=,ppid=,command="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), command: match[3]! }));
  const found: Array<{ pid: number; command: string }> = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push({ pid: row.pid, command: row.command });
        queue.push(row.pid);
      }
    }
  }
  return found;
}

/** Running (a zombie waiting for a container's init to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return !execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim().startsWith("Z");
  } catch {
    return false;
  }
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}


/** Runs the start command with `env` until `until` appears in its output or it exits; returns both. */
function runStart(env: NodeJS.ProcessEnv, until: string): Promise<{ proc: ChildProcess; output: () => string; exit: Promise<number | null> }> {
  const [, ...args] = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.start as string).split(/\s+/);
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  others.push(proc);
  let output = "";
  proc.stdout!.on("data", (chunk) => (output += chunk));
  proc.stderr!.on("data", (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${until}" within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const done = () => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ proc, output: () => output, exit });
    };
    const poll = setInterval(() => output.includes(until) && done(), 100);
    void exit.then(done);
  });
}

let start: ChildProcess | undefined;
const others: ChildProcess[] = [];
let tracked: Array<{ pid: number; command: string }> = [];

afterAll(() => {
  // Only if the test failed half-way: leave nothing behind.
  for (const { pid } of tracked) if (alive(pid)) process.kill(pid, "SIGKILL");
  for (const proc of [start, ...others]) {
    if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {}
    }
  }
});

describe("npm start", () => {
  it("serves InProgress and NotExist through serverless-offline; one Ctrl-C stops everything and frees the ports", async () => {
    const startedAt = Date.now();
    // package.json's "start" command, in its own process group like a terminal's foreground job. Not through npm or
    // sh: on Ctrl-C they re-raise SIGINT on themselves (exit 130), which would hide the script's own exit code.
    const [command, ...args] = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.start as string).split(/\s+/);
    expect(command).toBe("node");
    start = spawn(process.execPath, args, { cwd: ROOT, env: emulatorModeEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    start.stdout!.on("data", (chunk) => (output += chunk));
    start.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      start!.once("exit", (code, signal) => resolve({ code, signal })),
    );

    // Ready: the banner ends with the Ctrl-C hint.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
      const poll = setInterval(() => {
        if (output.includes("Press Ctrl-C")) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      void exited.then(({ code, signal }) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`npm start exited early (${signal ?? code}):\n${output}`));
      });
    });
    const readyMs = Date.now() - startedAt;
    console.log(`npm start: ready in ${readyMs} ms (build + emulator + osls offline)`);

    // The printed curl lines: the one after "# InProgress", the one after "# NotExist", and the POST.
    const lines = output.split("\n");
    const curlAfter = (marker: string) => {
      const index = lines.findIndex((line) => line.trim().startsWith(`# ${marker}`));
      expect(index, `no "# ${marker}" line in:\n${output}`).toBeGreaterThanOrEqual(0);
      const curl = lines[index + 1]!.trim();
      expect(curl.startsWith("curl ")).toBe(true);
      return curl;
    };
    const urlOf = (curl: string) => curl.match(/'(http:\/\/[^']+)'/)![1]!;
    const inProgressUrl = urlOf(curlAfter("InProgress"));
    const notExistUrl = urlOf(curlAfter("NotExist"));
    const postLine = lines.find((line) => line.trim().startsWith("curl") && line.includes("-X POST"))!;
    // The function-URL example it points to exists (test/e2e/invoke.test.ts runs it).
    const invokeLine = lines.find((line) => line.trim().startsWith("npm run invoke"))!.trim();
    expect(invokeLine).toBe("npm run invoke -- --event examples/events/tencent-function-url.json");
    expect(existsSync(join(ROOT, invokeLine.split(" ").at(-1)!))).toBe(true);
    const functionPort = Number(new URL(inProgressUrl).port);
    const lambdaPort = Number(output.match(/Lambda invoke API[^\n]*http:\/\/127\.0\.0\.1:(\d+)/)![1]);
    const emulatorUrl = output.match(/TRTC emulator[^\n]*(http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    const emulatorPort = Number(new URL(emulatorUrl).port);

    const inProgress = await fetch(inProgressUrl);
    expect(inProgress.status).toBe(200);
    expect(inProgress.headers.get("content-type")).toMatch(/^application\/json/);
    expect(inProgress.headers.get("cache-control")).toBe("no-store");
    expect(inProgress.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await inProgress.json()).toMatchObject({ ok: true, sdkAppId: 1400000001, taskId: "demo-task-in-progress", status: "InProgress", running: true });

    const notExist = await fetch(notExistUrl);
    expect(notExist.status).toBe(200);
    expect(notExist.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await notExist.json()).toMatchObject({ ok: true, sdkAppId: 1400000001, status: "NotExist", running: false });

    const postBody = postLine.match(/-d '([^']+)'/)![1]!;
    const post = await fetch(urlOf(postLine), { method: "POST", headers: { "content-type": "application/json" }, body: postBody });
    expect(post.status).toBe(200);
    expect(await post.json()).toMatchObject({ ok: true, status: "InProgress" });

    // Invalid input is answered by the function (400), through the same gateway.
    const invalid = await fetch(`${new URL(inProgressUrl).origin}${new URL(inProgressUrl).pathname}?SdkAppId=abc&TaskId=x`);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe("InvalidParameter.SdkAppId");

    // The answers came from the emulator over the wire, signed with the demo keys.
    const stats = (await (await fetch(`${emulatorUrl}/_emulator/stats`)).json()) as { byAction: Record<string, number> };
    expect(stats.byAction.DescribeStreamIngest).toBeGreaterThanOrEqual(3);

    // The relay's story, as the printed lines tell it: stop the demo relay on the emulator (it POSTs a signed 702 to
    // the function's callback route), then ask twice: NotExist with relay, one confirming request, then none.
    const stopLine = lines.find((line) => line.includes("/_emulator/tasks/stop"))!;
    expect((await fetch(urlOf(stopLine), { method: "POST", body: stopLine.match(/-d '([^']+)'/)![1]! })).status).toBe(200);
    await fetch(`${emulatorUrl}/_emulator/callbacks/idle`);
    const storyUrl = urlOf(lines[lines.findIndex((line) => line.includes("answered from the record")) + 1]!);
    const describes = async () => ((await (await fetch(`${emulatorUrl}/_emulator/stats`)).json()) as typeof stats).byAction.DescribeStreamIngest!;
    const before = await describes();
    const confirmed = (await (await fetch(storyUrl)).json()) as { requestId: string };
    expect(confirmed).toMatchObject({ status: "NotExist", relay: { phase: "stopped" } });
    expect(await (await fetch(storyUrl)).json()).toMatchObject({ status: "NotExist", cached: true, requestId: confirmed.requestId, relay: { phase: "stopped" } });
    expect((await describes()) - before).toBe(1);

    tracked = descendants(start.pid!);
    expect(tracked.some((p) => p.command.includes("emulator/cli.ts"))).toBe(true);
    expect(tracked.some((p) => p.command.includes("serverless.js") && p.command.includes("offline"))).toBe(true);
    for (const port of [functionPort, lambdaPort, emulatorPort]) expect(await portAcceptsConnections(port)).toBe(true);

    // Ctrl-C in a terminal: SIGINT to the foreground process group.
    const stopAt = Date.now();
    process.kill(-start.pid!, "SIGINT");
    const { code, signal } = await exited;
    console.log(`npm start: stopped in ${Date.now() - stopAt} ms`);
    expect({ code, signal }, output.slice(-3000)).toEqual({ code: 0, signal: null });
    expect(output).toContain("Stopped.");

    const deadline = Date.now() + 5_000;
    while (tracked.some(({ pid }) => alive(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(tracked.filter(({ pid }) => alive(pid))).toEqual([]);
    for (const port of [functionPort, lambdaPort, emulatorPort]) expect(await portAcceptsConnections(port)).toBe(false);
  }, READY_TIMEOUT_MS + 60_000);

  it("exits non-zero with the child's output when a child dies (port taken), leaving nothing behind", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { proc, output, exit } = await runStart({ ...emulatorModeEnv(), PORT: String(port) }, "\u0000never");
      expect(await exit, output()).toBe(1);
      expect(output()).toContain("offline exited unexpectedly");
      expect(output()).toContain("EADDRINUSE");
      expect(descendants(proc.pid!)).toEqual([]);
    } finally {
      blocker.close();
    }
  }, READY_TIMEOUT_MS);

  it("with TENCENTCLOUD_SECRET_ID / _KEY set, starts no emulator and ignores TRTC_ENDPOINT_URL", async () => {
    const { startEmulator } = await import("../../emulator");
    // A decoy the function must NOT be sent to in real-API mode.
    const decoy = await startEmulator({ quiet: true, credentials: [{ secretId: "AKIDdevlooptest", secretKey: "devlooptestkey" }] });
    try {
      const env = { ...emulatorModeEnv(), TENCENTCLOUD_SECRET_ID: "AKIDdevlooptest", TENCENTCLOUD_SECRET_KEY: "devlooptestkey", TRTC_ENDPOINT_URL: decoy.url };
      const { proc, output, exit } = await runStart(env, "Press Ctrl-C");
      expect(output()).toContain("against the REAL TRTC API");
      expect(output()).not.toContain("TRTC emulator");
      expect(output()).not.toContain("devlooptestkey");
      expect(descendants(proc.pid!).some((p) => p.command.includes("emulator/cli.ts"))).toBe(false);
      const url = output().match(/Function \(API Gateway[^\n]*(http:\/\/\S+)/)![1]!;
      // Whatever the real API (or the lack of a network) answers, the decoy saw nothing.
      await fetch(`${url}?SdkAppId=1400000001&TaskId=demo-task-in-progress`);
      expect(decoy.stats().requests).toBe(0);
      process.kill(-proc.pid!, "SIGINT");
      expect(await exit).toBe(0);
    } finally {
      await decoy.close();
    }
  }, READY_TIMEOUT_MS + 60_000);
});

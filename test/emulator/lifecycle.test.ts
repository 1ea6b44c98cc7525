import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_SECRET_ID, startEmulator, type RunningEmulator } from "../../emulator";
import { DEMO_APP, DEMO_TASK, envelope, handSign, rawRequest, sdkClient, sleep } from "./helpers";

const started: RunningEmulator[] = [];
async function emulatorForTest(...args: Parameters<typeof startEmulator>) {
  const emulator = await startEmulator({ quiet: true, ...args[0] });
  started.push(emulator);
  return emulator;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

describe("sockets", () => {
  it("serves keep-alive connections and counts them", async () => {
    const emulator = await emulatorForTest();
    const client = sdkClient(emulator);
    for (let i = 0; i < 3; i++) await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK });
    expect(emulator.stats()).toMatchObject({ requests: 3, connections: 1 });
  });

  it("close() resolves promptly with a hung request and idle keep-alive sockets", async () => {
    const emulator = await emulatorForTest();
    await sdkClient(emulator).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK }); // leaves a keep-alive socket
    emulator.addFault({ fault: { type: "hang" } });
    const hung = rawRequest(emulator, handSign()).then(
      () => "answered",
      (error: NodeJS.ErrnoException) => error.code,
    );
    await sleep(100);
    const closing = Date.now();
    await emulator.close();
    expect(Date.now() - closing).toBeLessThan(500);
    expect(await hung).toBe("ECONNRESET");
  });

  it("close() also ends injected latency", async () => {
    const emulator = await emulatorForTest();
    emulator.addFault({ fault: { type: "latency", ms: 60_000 } });
    const pending = rawRequest(emulator, handSign()).catch(() => "closed");
    await sleep(100);
    const closing = Date.now();
    await emulator.close();
    expect(Date.now() - closing).toBeLessThan(500);
    expect(await pending).toBe("closed");
  });
});

describe("control endpoint", () => {
  const control = (emulator: RunningEmulator, method: string, path: string, body?: unknown) =>
    rawRequest(emulator, { method, path: `/_emulator/${path}`, body: body === undefined ? undefined : JSON.stringify(body) });

  it("adds and clears faults, seeds tasks, adds credentials, reads and resets stats — without counting itself", async () => {
    const emulator = await emulatorForTest();
    expect(JSON.parse((await control(emulator, "GET", "health")).body)).toEqual({ ok: true });

    expect((await control(emulator, "POST", "faults", { fault: { type: "http5xx" } })).status).toBe(200);
    expect((await rawRequest(emulator, handSign())).status).toBe(502);
    expect((await control(emulator, "DELETE", "faults")).status).toBe(200);
    expect((await rawRequest(emulator, handSign())).status).toBe(200);

    const { TaskId } = JSON.parse((await control(emulator, "POST", "tasks", { SdkAppId: 1400000042, TaskId: "from-control" })).body);
    expect(TaskId).toBe("from-control");
    const body = JSON.stringify({ SdkAppId: 1400000042, TaskId });
    expect(envelope(await rawRequest(emulator, handSign({ body }))).Status).toBe("InProgress");

    await control(emulator, "POST", "credentials", { secretId: "AKIDCONTROL", secretKey: "control-key", token: "tok" });
    expect(envelope(await rawRequest(emulator, handSign({ secretId: "AKIDCONTROL", secretKey: "control-key", token: "tok" }))).Error).toBeUndefined();
    await control(emulator, "POST", "credentials/expire", { secretId: "AKIDCONTROL" });
    expect(envelope(await rawRequest(emulator, handSign({ secretId: "AKIDCONTROL", secretKey: "control-key", token: "tok" }))).Error?.Code).toBe(
      "AuthFailure.TokenFailure",
    );

    const stats = JSON.parse((await control(emulator, "GET", "stats")).body);
    expect(stats.requests).toBe(5);
    expect(stats.log.map((e: { status?: string; code?: string }) => e.status ?? e.code)).toEqual([
      undefined,
      "InProgress",
      "InProgress",
      "InProgress",
      "AuthFailure.TokenFailure",
    ]);
    expect(stats.log[1]).toMatchObject({ action: "DescribeStreamIngest", sdkAppId: DEMO_APP, taskId: DEMO_TASK, token: false });
    await control(emulator, "POST", "reset");
    expect(JSON.parse((await control(emulator, "GET", "stats")).body)).toMatchObject({ requests: 0, log: [] });
  });

  it("answers 400 for invalid input and 404 for unknown routes", async () => {
    const emulator = await emulatorForTest();
    expect((await control(emulator, "POST", "faults", { fault: { type: "nope" } })).status).toBe(400);
    expect((await control(emulator, "POST", "tasks", { SdkAppId: -1 })).status).toBe(400);
    expect((await control(emulator, "GET", "nothing-here")).status).toBe(404);
  });
});

describe("options", () => {
  it("reads credentials from the environment by default, else the demo pair", async () => {
    const demo = await emulatorForTest();
    expect(envelope(await rawRequest(demo, handSign())).Error).toBeUndefined();
    const previous = { id: process.env.TENCENTCLOUD_SECRET_ID, key: process.env.TENCENTCLOUD_SECRET_KEY };
    process.env.TENCENTCLOUD_SECRET_ID = "AKIDFROMENVIRONMENT";
    process.env.TENCENTCLOUD_SECRET_KEY = "env-key";
    try {
      const fromEnv = await emulatorForTest();
      expect(envelope(await rawRequest(fromEnv, handSign({ secretId: "AKIDFROMENVIRONMENT", secretKey: "env-key" }))).Error).toBeUndefined();
      expect(envelope(await rawRequest(fromEnv, handSign({ secretId: DEMO_SECRET_ID }))).Error?.Code).toBe("AuthFailure.SecretIdNotFound");
    } finally {
      for (const [name, value] of [["TENCENTCLOUD_SECRET_ID", previous.id], ["TENCENTCLOUD_SECRET_KEY", previous.key]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("seeds from a seed file instead of the demo tasks", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "trtc-emulator-")), "tasks.json");
    writeFileSync(file, JSON.stringify([{ SdkAppId: 1400000077, TaskId: "from-file" }]));
    const emulator = await emulatorForTest({ seedFile: file });
    const client = sdkClient(emulator);
    expect((await client.DescribeStreamIngest({ SdkAppId: 1400000077, TaskId: "from-file" })).Status).toBe("InProgress");
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK })).Status).toBe("NotExist");
  });
});

describe("CLI", () => {
  it("prints the URL and the demo task, serves, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "emulator/cli.ts", "--port", "0", "--quiet"], {
      cwd: join(__dirname, "../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stdout so far: ${stdout}`)), 20_000);
        child.stdout.on("data", () => {
          const match = stdout.match(/http:\/\/127\.0\.0\.1:(\d+)/);
          if (match && stdout.includes(DEMO_TASK)) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        });
      });
      const health = await fetch(`${url}/_emulator/health`);
      expect(await health.json()).toEqual({ ok: true });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

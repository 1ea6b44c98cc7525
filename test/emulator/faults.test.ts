import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { DEMO_APP, DEMO_TASK, envelope, handSign, rawRequest, sdkClient, sdkError, sleep } from "./helpers";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ quiet: true, rateLimitPerSecond: 1000 });
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

const describeTask = () => rawRequest(emulator, handSign());
const describeViaSdk = () => sdkClient(emulator, { reqTimeoutSeconds: 1 }).DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK });

describe("network-level faults", () => {
  it("latency delays the answer, which then comes normally", async () => {
    emulator.addFault({ fault: { type: "latency", ms: 300 } });
    const started = Date.now();
    const res = await describeTask();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(envelope(res).Status).toBe("InProgress");
  });

  it("hang accepts the request and never answers", async () => {
    emulator.addFault({ fault: { type: "hang" } });
    await expect(rawRequest(emulator, { ...handSign(), timeoutMs: 300 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect((await sdkError(describeViaSdk())).message).toMatch(/timeout/i);
    expect(emulator.stats().log.at(-1)?.fault).toBe("hang");
  });

  it("http5xx answers a gateway error page (502 by default, or the given status)", async () => {
    emulator.addFault({ fault: { type: "http5xx" }, times: 1 });
    const res = await describeTask();
    expect(res.status).toBe(502);
    expect(res.headers["content-type"]).toBe("text/html");
    expect(res.body).toContain("502 Bad Gateway");
    emulator.addFault({ fault: { type: "http5xx", status: 503 }, times: 1 });
    expect((await sdkError(describeViaSdk())).httpCode).toBe(503);
  });

  it("reset destroys the connection without an answer (ECONNRESET)", async () => {
    emulator.addFault({ fault: { type: "reset" } });
    await expect(describeTask()).rejects.toMatchObject({ code: "ECONNRESET" });
    expect((await sdkError(describeViaSdk())).message).toMatch(/ECONNRESET|socket hang up/);
  });

  it("malformed-json answers 200 application/json that is not JSON", async () => {
    emulator.addFault({ fault: { type: "malformed-json" } });
    const res = await describeTask();
    expect([res.status, res.headers["content-type"]]).toEqual([200, "application/json"]);
    expect(() => JSON.parse(res.body)).toThrow();
    expect((await sdkError(describeViaSdk())).message).toMatch(/invalid json/i);
  });

  it("truncated-json answers the first half of a valid envelope", async () => {
    emulator.addFault({ fault: { type: "truncated-json" } });
    const res = await describeTask();
    expect([res.status, res.headers["content-type"]]).toEqual([200, "application/json"]);
    expect(res.body.startsWith('{"Response":')).toBe(true);
    expect(() => JSON.parse(res.body)).toThrow();
  });

  it("non-envelope-json answers valid JSON without a Response object", async () => {
    emulator.addFault({ fault: { type: "non-envelope-json" } });
    const res = await describeTask();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).not.toHaveProperty("Response");
  });

  it("applies before authentication", async () => {
    emulator.addFault({ fault: { type: "http5xx" } });
    expect((await rawRequest(emulator, handSign({ secretKey: "wrong" }))).status).toBe(502);
  });
});

describe("API-level faults", () => {
  it("api-error answers the given code in the envelope", async () => {
    emulator.addFault({ fault: { type: "api-error", code: "InternalError.DBError", message: "db down" } });
    const error = await sdkError(describeViaSdk());
    expect([error.code, error.message]).toEqual(["InternalError.DBError", "db down"]);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("throttle answers RequestLimitExceeded and counts as throttled", async () => {
    emulator.resetStats();
    emulator.addFault({ fault: { type: "throttle" }, times: 1 });
    expect((await sdkError(describeViaSdk())).code).toBe("RequestLimitExceeded");
    expect((await describeViaSdk()).Status).toBe("InProgress");
    expect(emulator.stats().throttled).toBe(1);
  });

  it("come after authentication, version, action and region checks", async () => {
    emulator.addFault({ fault: { type: "api-error", code: "FailedOperation.QueryTaskInfoFailed" } });
    expect(envelope(await rawRequest(emulator, handSign({ secretKey: "wrong" }))).Error?.Code).toBe("AuthFailure.SignatureFailure");
    expect(envelope(await rawRequest(emulator, handSign({ region: "ap-seoul" }))).Error?.Code).toBe("UnsupportedRegion");
    expect(envelope(await rawRequest(emulator, handSign({ body: "{}" }))).Error?.Code).toBe("FailedOperation.QueryTaskInfoFailed");
  });
});

describe("fault rules", () => {
  it("wear off after `times` requests", async () => {
    emulator.addFault({ fault: { type: "api-error", code: "InternalError" }, times: 2 });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(envelope(await describeTask()).Error?.Code);
    expect(codes).toEqual(["InternalError", "InternalError", undefined]);
  });

  it("wear off after `durationMs`", async () => {
    emulator.addFault({ fault: { type: "http5xx" }, durationMs: 200 });
    expect((await describeTask()).status).toBe(502);
    await sleep(250);
    expect((await describeTask()).status).toBe(200);
  });

  it("can target one action", async () => {
    emulator.addFault({ fault: { type: "http5xx" }, action: "StartStreamIngest" });
    expect((await describeTask()).status).toBe(200);
    expect((await rawRequest(emulator, handSign({ action: "StartStreamIngest" }))).status).toBe(502);
  });

  it("are rejected when malformed", () => {
    expect(() => emulator.addFault({ fault: { type: "nope" } } as never)).toThrow(TypeError);
    expect(() => emulator.addFault({ fault: { type: "api-error" } } as never)).toThrow(/code/);
  });

  it("are counted in stats like any request", async () => {
    emulator.resetStats();
    emulator.addFault({ fault: { type: "reset" }, times: 1 });
    await describeTask().catch(() => undefined);
    await describeTask();
    const stats = emulator.stats();
    expect(stats.requests).toBe(2);
    expect(stats.byAction.DescribeStreamIngest).toBe(2);
    expect(stats.log.map((e) => e.fault ?? e.status)).toEqual(["reset", "InProgress"]);
  });
});

describe("transport faults (raw HTTP; the function's handling of them is in test/hardening/transport.test.ts)", () => {
  it("trickle: headers after headersAfterMs, then one space per interval, then the rest of a valid envelope", async () => {
    emulator.addFault({ fault: { type: "trickle", headersAfterMs: 100, intervalMs: 20, forMs: 200 }, times: 1 });
    const started = Date.now();
    const res = await describeTask();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.body).toMatch(/^\{ {3,}"Response"/);
    expect(JSON.parse(res.body).Response.Status).toBe("InProgress");
  });

  it("mid-body-close promises a length, sends half and drops the connection", async () => {
    emulator.addFault({ fault: { type: "mid-body-close" }, times: 1 });
    await expect(describeTask()).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("oversized-body sends a valid envelope padded to the size; with gzip, a small body that inflates to it", async () => {
    emulator.addFault({ fault: { type: "oversized-body", bytes: 300_000 }, times: 1 });
    const plain = await describeTask();
    expect(plain.body.length).toBe(300_000);
    expect(JSON.parse(plain.body).Response.Status).toBe("InProgress");
    emulator.addFault({ fault: { type: "oversized-body", bytes: 1_000_000, gzip: true }, times: 1 });
    const zipped = await new Promise<Buffer>((resolve, reject) => {
      const req = require("node:http").request({ host: "127.0.0.1", port: emulator.port, method: "POST", headers: handSign().headers, agent: false }, (res: any) => {
        expect(res.headers["content-encoding"]).toBe("gzip");
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
      });
      req.on("error", reject).end(handSign().body);
    });
    expect(zipped.length).toBeLessThan(20_000);
    const inflated = gunzipSync(zipped).toString("utf8");
    expect(inflated.length).toBeGreaterThan(1_000_000);
    expect(JSON.parse(inflated).Response.Status).toBe("InProgress");
  });

  it("oversized-field puts a field of that length in the envelope", async () => {
    emulator.addFault({ fault: { type: "oversized-field", field: "Message", length: 5000 }, times: 1 });
    expect(envelope(await describeTask()).Error?.Message).toHaveLength(5000);
  });

  it("event-stream answers text/event-stream and keeps sending until the client closes", async () => {
    emulator.addFault({ fault: { type: "event-stream", intervalMs: 20 }, times: 1 });
    const { contentType, events } = await new Promise<{ contentType: string; events: number }>((resolve, reject) => {
      const req = require("node:http").request({ host: "127.0.0.1", port: emulator.port, method: "POST", headers: handSign().headers, agent: false }, (res: any) => {
        let events = 0;
        res.on("data", (chunk: Buffer) => {
          events += chunk.toString("utf8").split("\n\n").length - 1;
          if (events >= 3) {
            req.destroy();
            resolve({ contentType: res.headers["content-type"], events });
          }
        });
      });
      req.on("error", (error: Error) => (req.destroyed ? undefined : reject(error))).end(handSign().body);
    });
    expect(contentType).toBe("text/event-stream");
    expect(events).toBeGreaterThanOrEqual(3);
  });

  it("redirect answers 307 to itself by default, or the given status and Location", async () => {
    emulator.addFault({ fault: { type: "redirect" }, times: 1 });
    const loop = await describeTask();
    expect([loop.status, loop.headers.location]).toEqual([307, "/"]);
    emulator.addFault({ fault: { type: "redirect", status: 301, location: "http://127.0.0.1:1/" }, times: 1 });
    const away = await describeTask();
    expect([away.status, away.headers.location]).toEqual([301, "http://127.0.0.1:1/"]);
  });

  it("http-error-envelope answers an HTTP error status with TRTC's JSON error envelope", async () => {
    emulator.addFault({ fault: { type: "http-error-envelope", code: "InternalError.DBError" }, times: 1 });
    const res = await describeTask();
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).Response).toMatchObject({ Error: { Code: "InternalError.DBError" }, RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("rejects transport fault rules that are incomplete", () => {
    expect(() => emulator.addFault({ fault: { type: "trickle" } as never })).toThrow(/intervalMs/);
    expect(() => emulator.addFault({ fault: { type: "oversized-body", bytes: 0 } })).toThrow(/bytes/);
    expect(() => emulator.addFault({ fault: { type: "oversized-field", field: "Nope", length: 1 } as never })).toThrow(/field/);
    expect(() => emulator.addFault({ fault: { type: "http-error-envelope" } as never })).toThrow(/code/);
  });
});

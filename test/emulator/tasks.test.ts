import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { DEMO_APP, DEMO_TASK, envelope, errorCode, handSign, rawRequest, sdkClient, sdkError, sleep } from "./helpers";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ quiet: true, rateLimitPerSecond: 1000, tasks: [{ SdkAppId: 1400000002, TaskId: "seeded-from-options" }] });
});
afterAll(() => emulator.close());

const START = { SdkAppId: DEMO_APP, RoomId: "1234", RoomIdType: 1, UserId: "relay_bot", UserSig: "sig", StreamUrl: "https://example.com/live.flv" };

describe("relay task lifecycle", () => {
  it("Start → Describe InProgress → Update → Stop → Describe NotExist", async () => {
    const client = sdkClient(emulator);
    const { TaskId } = await client.StartStreamIngest(START);
    expect(TaskId).toMatch(/^[A-Za-z0-9_-]{40,60}$/);
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: TaskId! })).Status).toBe("InProgress");
    expect((await client.UpdateStreamIngest({ SdkAppId: DEMO_APP, TaskId: TaskId!, StreamUrl: "https://example.com/b.flv" })).Status).toBe(
      "InProgress",
    );
    await client.StopStreamIngest({ SdkAppId: DEMO_APP, TaskId: TaskId! });
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: TaskId! })).Status).toBe("NotExist");
    expect((await sdkError(client.StopStreamIngest({ SdkAppId: DEMO_APP, TaskId: TaskId! }))).code).toBe("FailedOperation.TaskNotExist");
  });

  it("keeps tasks per SdkAppId: another app sees NotExist", async () => {
    const client = sdkClient(emulator);
    expect((await client.DescribeStreamIngest({ SdkAppId: 1400009999, TaskId: DEMO_TASK })).Status).toBe("NotExist");
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: "never-started" })).Status).toBe("NotExist");
  });

  it("seeds the demo task by default, plus tasks from options and from the control endpoint", async () => {
    const client = sdkClient(emulator);
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK })).Status).toBe("InProgress");
    expect((await client.DescribeStreamIngest({ SdkAppId: 1400000002, TaskId: "seeded-from-options" })).Status).toBe("InProgress");
    const res = await rawRequest(emulator, { path: "/_emulator/tasks", body: JSON.stringify({ SdkAppId: 1400000003 }) });
    const { TaskId } = JSON.parse(res.body);
    expect((await client.DescribeStreamIngest({ SdkAppId: 1400000003, TaskId })).Status).toBe("InProgress");
  });

  it("ends a task on its own after endsAfterSeconds", async () => {
    const TaskId = emulator.seedTask({ SdkAppId: DEMO_APP, endsAfterSeconds: 0.4 });
    const client = sdkClient(emulator);
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId })).Status).toBe("InProgress");
    await sleep(500);
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId })).Status).toBe("NotExist");
  });

  it("starts over GET too, with the deprecated SourceUrl array flattened into the query", async () => {
    const client = sdkClient(emulator, { reqMethod: "GET" });
    const { StreamUrl: _unused, ...rest } = START;
    const { TaskId } = await client.StartStreamIngest({ ...rest, SourceUrl: ["https://example.com/a.mp4"] });
    expect((await client.DescribeStreamIngest({ SdkAppId: DEMO_APP, TaskId: TaskId! })).Status).toBe("InProgress");
  });
});

describe("parameters", () => {
  const describeWith = (body: unknown) => errorCode(emulator, { body: JSON.stringify(body) });

  it.each<[string, unknown, string]>([
    ["no SdkAppId", { TaskId: DEMO_TASK }, "MissingParameter.SdkAppId"],
    ["no TaskId", { SdkAppId: DEMO_APP }, "MissingParameter.TaskId"],
    ["SdkAppId 0", { SdkAppId: 0, TaskId: DEMO_TASK }, "InvalidParameter.SdkAppId"],
    ["SdkAppId over 4294967295", { SdkAppId: 4294967296, TaskId: DEMO_TASK }, "InvalidParameter.SdkAppId"],
    ["a fractional SdkAppId", { SdkAppId: 1.5, TaskId: DEMO_TASK }, "InvalidParameter.SdkAppId"],
    ["SdkAppId as a JSON string", { SdkAppId: "1400000001", TaskId: DEMO_TASK }, "InvalidParameter.SdkAppId"],
    ["an empty TaskId", { SdkAppId: DEMO_APP, TaskId: "" }, "InvalidParameter.TaskId"],
    ["a TaskId with a space", { SdkAppId: DEMO_APP, TaskId: "a b" }, "InvalidParameter.TaskId"],
    ["a TaskId of 257 chars", { SdkAppId: DEMO_APP, TaskId: "x".repeat(257) }, "InvalidParameter.TaskId"],
    ["a numeric TaskId", { SdkAppId: DEMO_APP, TaskId: 1234 }, "InvalidParameter.TaskId"],
    ["an unknown parameter", { SdkAppId: DEMO_APP, TaskId: DEMO_TASK, Foo: 1 }, "UnknownParameter"],
  ])("answers %s with its code", async (_case, body, code) => {
    expect(await describeWith(body)).toBe(code);
  });

  it("accepts the largest SdkAppId and a 256-char TaskId", async () => {
    expect(await describeWith({ SdkAppId: 4294967295, TaskId: "x".repeat(256) })).toBeUndefined();
  });

  it("reads GET values as strings", async () => {
    const res = await rawRequest(emulator, handSign({ method: "GET", query: `SdkAppId=${DEMO_APP}&TaskId=${DEMO_TASK}` }));
    expect(envelope(res).Status).toBe("InProgress");
    expect(await errorCode(emulator, { method: "GET", query: `SdkAppId=abc&TaskId=x` })).toBe("InvalidParameter.SdkAppId");
  });

  it("rejects a body that is not a JSON object", async () => {
    expect(await errorCode(emulator, { body: "not json" })).toBe("InvalidParameter");
    expect(await errorCode(emulator, { body: "[]" })).toBe("InvalidParameter");
  });

  it("rejects a body over 10 MB with RequestSizeLimitExceeded", async () => {
    const res = await rawRequest(emulator, { ...handSign(), body: " ".repeat(10 * 1024 * 1024 + 1) });
    expect(envelope(res).Error?.Code).toBe("RequestSizeLimitExceeded");
  });

  it("checks parameters after authentication", async () => {
    expect(await errorCode(emulator, { body: "{}", secretKey: "wrong" })).toBe("AuthFailure.SignatureFailure");
  });

  it("validates StartStreamIngest's own parameters", async () => {
    const startWith = (body: unknown) => errorCode(emulator, { action: "StartStreamIngest", body: JSON.stringify(body) });
    expect(await startWith({ ...START, UserSig: undefined })).toBe("MissingParameter.UserSig");
    expect(await startWith({ ...START, RoomId: "not-a-number" })).toBe("InvalidParameter.RoomId");
    expect(await startWith({ ...START, RoomId: "room-a", RoomIdType: 0 })).toBeUndefined();
    expect(await startWith({ ...START, StreamUrl: undefined })).toBe("MissingParameter.StreamUrl");
  });
});

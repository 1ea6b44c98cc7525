/** The input step (lib/input.ts), pure: event kind + raw event → single, batch or a classified failure. */
import { describe, expect, it } from "vitest";
import { recogniseEvent } from "../../lib/events";
import { parameterSources, readInput, readWaitOptions } from "../../lib/input";
import { awsHttpApiEvent, awsRestEvent } from "../support/events";

const read = (event: unknown, allowed?: ReadonlySet<number>) => readInput(recogniseEvent(event), event, { allowed });
const codeOf = (event: unknown, allowed?: ReadonlySet<number>) => {
  const reading = read(event, allowed);
  return reading.kind === "refused" ? reading.error.code : reading.kind;
};

describe("readInput", () => {
  it("reads a single task, with wait options on a direct invocation and over HTTP", () => {
    expect(read({ SdkAppId: "1400000001", TaskId: "a" })).toEqual({ kind: "single", params: { SdkAppId: 1400000001, TaskId: "a" } });
    const waited = read({ SdkAppId: 1, TaskId: "a", waitFor: "NotExist", pollIntervalSeconds: 2 });
    expect(waited).toEqual({ kind: "single", params: { SdkAppId: 1, TaskId: "a" }, wait: { waitFor: "NotExist", pollIntervalSeconds: 2 } });
    // Over HTTP, waitFor is an option too: a bad one is refused, never ignored; numbers may come as query text, and
    // the wait is bounded by what a gateway waits (20 s unless asked, at most 25 s).
    expect(codeOf(awsRestEvent({ query: { SdkAppId: "1", TaskId: "a", waitFor: "bogus" } }))).toBe("InvalidParameter.WaitFor");
    const http = read(awsRestEvent({ query: { SdkAppId: "1", TaskId: "a", waitFor: "NotExist", pollIntervalSeconds: "2" } }));
    expect(http).toEqual({ kind: "single", params: { SdkAppId: 1, TaskId: "a" }, wait: { waitFor: "NotExist", waitTimeoutSeconds: 20, pollIntervalSeconds: 2 } });
    expect(codeOf(awsHttpApiEvent({ query: { SdkAppId: "1", TaskId: "a", waitFor: "NotExist", waitTimeoutSeconds: "26" } }))).toBe("InvalidParameter.WaitTimeoutSeconds");
    expect(read(awsHttpApiEvent({ method: "POST", body: '{"SdkAppId":1,"TaskId":"a","waitFor":"InProgress","waitTimeoutSeconds":25}' }))).toMatchObject({ wait: { waitFor: "InProgress", waitTimeoutSeconds: 25 } });
  });

  it("reads a POST whose JSON body names EventGroupId as a TRTC callback: the body's bytes as sent, the headers lower-cased", () => {
    const body = '{ "EventGroupId": 7,"EventType":701 }';
    const plain = read(awsHttpApiEvent({ method: "POST", body, headers: { Sign: "s", SdkAppId: "1" } }));
    expect(plain).toMatchObject({ kind: "callback", request: { headers: { sign: "s", sdkappid: "1" } } });
    expect(plain.kind === "callback" && plain.request.body.toString("utf8")).toBe(body);
    const encoded = read(awsRestEvent({ method: "POST", body: Buffer.from(body).toString("base64"), isBase64Encoded: true }));
    expect(encoded.kind === "callback" && encoded.request.body.toString("utf8")).toBe(body);
    // A GET carrying the name, or a body without it, is a status query.
    expect(codeOf(awsHttpApiEvent({ query: { EventGroupId: "7" } }))).toBe("MissingParameter.SdkAppId");
  });

  it("answers an OPTIONS request as a preflight only when CORS is on", () => {
    const options = awsHttpApiEvent({ method: "OPTIONS" });
    expect(readInput("aws-http", options, { preflight: true })).toEqual({ kind: "preflight" });
    expect(codeOf(options)).toBe("InvalidRequest.Method");
  });

  it.each([
    [null, "InvalidRequest.Event"],
    [[{ SdkAppId: 1, TaskId: "a" }], "InvalidRequest.Event"],
    // The method is judged before the body, the body before the parameters.
    [awsRestEvent({ method: "DELETE", body: "not json" }), "InvalidRequest.Method"],
    [awsRestEvent({ method: "POST", body: "not json", query: { SdkAppId: "x" } }), "InvalidRequest.Body"],
    [awsHttpApiEvent({ method: "POST", body: "[1]" }), "InvalidRequest.Body"],
    [{ TaskId: "a b" }, "MissingParameter.SdkAppId"],
    // The allow-list before the wait options.
    [{ SdkAppId: 7, TaskId: "a", waitFor: "bogus" }, "Forbidden.SdkAppId"],
    [{ SdkAppId: 1, TaskId: "a", waitFor: "bogus" }, "InvalidParameter.WaitFor"],
    [{ SdkAppId: 1, TaskId: "a", waitFor: "" }, "InvalidParameter.WaitFor"],
    // Batch keys: "" counts as a value (a malformed batch, not a single query); a blank TaskId beside them is absent.
    [{ SdkAppId: 1, TaskIds: "" }, "InvalidRequest.Batch"],
    [awsRestEvent({ query: { SdkAppId: "1", TaskIds: "" } }), "InvalidRequest.Batch"],
    [{ SdkAppId: 1, TaskId: "", TaskIds: ["a"] }, "batch"],
    [{ SdkAppId: 1, TaskId: "a", TaskIds: ["a"] }, "InvalidRequest.Batch"],
    [{ SdkAppId: 1, TaskIds: ["a"], Tasks: [] }, "InvalidRequest.Batch"],
    [{ SdkAppId: 1, TaskIds: ["a"], waitFor: "" }, "InvalidRequest.Batch"],
    [{ SdkAppId: 1, TaskIds: ["a"], waitFor: null }, "batch"],
    [{ Tasks: [{ SdkAppId: 1, TaskId: "a" }, 3] }, "InvalidRequest.Batch"],
    [{ SdkAppId: 1, TaskIds: [] }, "InvalidRequest.Batch"],
    [{ SdkAppId: 1, TaskIds: Array.from({ length: 101 }, (_, i) => `t${i}`) }, "InvalidRequest.BatchTooLarge"],
  ])("%j → %s", (event, expected) => {
    expect(codeOf(event, new Set([1]))).toBe(expected);
  });

  it("keeps the picked parameters with a failure, for the payload's echo", () => {
    expect(read({ SdkAppId: 1, TaskId: "a", waitFor: 3 })).toMatchObject({ kind: "refused", params: { SdkAppId: 1, TaskId: "a" } });
    expect(read({ SdkAppId: "2", TaskIds: "x" })).toMatchObject({ kind: "refused", params: { SdkAppId: 2 } });
  });

  it("judges each task of a batch on its own: invalid and forbidden ones fail in their slot", () => {
    const reading = read({ SdkAppId: 1, Tasks: [{ TaskId: "a" }, { SdkAppId: 2, TaskId: "b" }, { TaskId: "c d" }, { SdkAppId: "1", taskId: "e" }] }, new Set([1]));
    if (reading.kind !== "batch") throw new Error("not a batch");
    const slots = reading.tasks.map((task) => (task.ok ? task.params : task.failure.error.code));
    expect(slots).toEqual([{ SdkAppId: 1, TaskId: "a" }, "Forbidden.SdkAppId", "InvalidParameter.TaskId", { SdkAppId: 1, TaskId: "e" }]);
    const forbiddenSlot = reading.tasks[1]!;
    expect(!forbiddenSlot.ok && forbiddenSlot.failure).toMatchObject({ ok: false, sdkAppId: 2, taskId: "b", requestId: null });
  });
});

describe("parameterSources", () => {
  it("orders HTTP sources path, query, body so the body wins", () => {
    const event = awsRestEvent({ method: "POST", path: { TaskId: "p" }, query: { TaskId: "q" }, body: '{"TaskId":"b"}' });
    expect(parameterSources("aws-rest", event)).toEqual([{ TaskId: "p" }, { TaskId: "q" }, { TaskId: "b" }]);
  });
});

describe("readWaitOptions", () => {
  it("is undefined without waitFor (null counts as absent)", () => {
    expect(readWaitOptions([{ SdkAppId: 1 }])).toBeUndefined();
    expect(readWaitOptions([{ waitFor: null, waitTimeoutSeconds: "x" }])).toBeUndefined();
  });

  it.each([
    [{ waitFor: "Running" }, "InvalidParameter.WaitFor"],
    [{ waitFor: 1 }, "InvalidParameter.WaitFor"],
    [{ waitFor: "NotExist", waitTimeoutSeconds: 0 }, "InvalidParameter.WaitTimeoutSeconds"],
    [{ waitFor: "NotExist", waitTimeoutSeconds: "10" }, "InvalidParameter.WaitTimeoutSeconds"],
    [{ waitFor: "NotExist", waitTimeoutSeconds: 901 }, "InvalidParameter.WaitTimeoutSeconds"],
    [{ waitFor: "NotExist", pollIntervalSeconds: 0.5 }, "InvalidParameter.PollIntervalSeconds"],
    [{ waitFor: "NotExist", pollIntervalSeconds: 301 }, "InvalidParameter.PollIntervalSeconds"],
    [{ waitFor: "x", pollIntervalSeconds: 0 }, "InvalidParameter.WaitFor"],
  ])("%j → %s", (event, code) => {
    expect(() => readWaitOptions([event])).toThrow(expect.objectContaining({ code }));
  });

  it("accepts the documented ranges", () => {
    expect(readWaitOptions([{ waitFor: "InProgress", waitTimeoutSeconds: 1.5, pollIntervalSeconds: 1 }])).toEqual({ waitFor: "InProgress", waitTimeoutSeconds: 1.5, pollIntervalSeconds: 1 });
  });
});

describe("the callback route", () => {
  it("takes callbacks only: a status query sent there is refused, on every kind that reports a path", () => {
    const query = { SdkAppId: "1", TaskId: "a" };
    expect(codeOf({ ...awsHttpApiEvent({ query }), rawPath: "/stream-ingest/callback" })).toBe("InvalidRequest.Body");
    expect(codeOf({ ...awsRestEvent({ query }), path: "/prod/stream-ingest/callback" })).toBe("InvalidRequest.Body");
    expect(codeOf({ ...awsHttpApiEvent({ method: "POST", body: '{"EventGroupId":7}' }), rawPath: "/stream-ingest/callback" })).toBe("callback");
    expect(codeOf({ ...awsHttpApiEvent({ query }), rawPath: "/stream-ingest/status" })).toBe("single");
  });
});

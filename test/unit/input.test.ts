/** The input step (lib/input.ts), pure: event kind + raw event → single, batch or a classified failure. */
import { describe, expect, it } from "vitest";
import { recogniseEvent } from "../../lib/events";
import { parameterSources, readInput, readWaitOptions } from "../../lib/input";
import { awsHttpApiEvent, awsRestEvent } from "../support/events";

const read = (event: unknown, allowed?: ReadonlySet<number>) => readInput(recogniseEvent(event), event, { allowed });
const codeOf = (event: unknown, allowed?: ReadonlySet<number>) => {
  const reading = read(event, allowed);
  return reading.ok ? reading.input.kind : reading.error.code;
};

describe("readInput", () => {
  it("reads a single task, with wait options on a direct invocation only", () => {
    expect(read({ SdkAppId: "1400000001", TaskId: "a" })).toEqual({ ok: true, params: { SdkAppId: 1400000001, TaskId: "a" }, input: { kind: "single", params: { SdkAppId: 1400000001, TaskId: "a" } } });
    const waited = read({ SdkAppId: 1, TaskId: "a", waitFor: "NotExist", pollIntervalSeconds: 2 });
    expect(waited.ok && waited.input).toEqual({ kind: "single", params: { SdkAppId: 1, TaskId: "a" }, wait: { waitFor: "NotExist", pollIntervalSeconds: 2 } });
    // Over HTTP, waitFor is not an option: it is ignored as any other unknown name.
    const http = read(awsRestEvent({ query: { SdkAppId: "1", TaskId: "a", waitFor: "bogus" } }));
    expect(http.ok && http.input).toEqual({ kind: "single", params: { SdkAppId: 1, TaskId: "a" } });
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
    expect(read({ SdkAppId: 1, TaskId: "a", waitFor: 3 })).toMatchObject({ ok: false, params: { SdkAppId: 1, TaskId: "a" } });
    expect(read({ SdkAppId: "2", TaskIds: "x" })).toMatchObject({ ok: false, params: { SdkAppId: 2 } });
  });

  it("judges each task of a batch on its own: invalid and forbidden ones fail in their slot", () => {
    const reading = read({ SdkAppId: 1, Tasks: [{ TaskId: "a" }, { SdkAppId: 2, TaskId: "b" }, { TaskId: "c d" }, { SdkAppId: "1", taskId: "e" }] }, new Set([1]));
    if (!reading.ok || reading.input.kind !== "batch") throw new Error("not a batch");
    const slots = reading.input.tasks.map((task) => (task.ok ? task.params : task.failure.error.code));
    expect(slots).toEqual([{ SdkAppId: 1, TaskId: "a" }, "Forbidden.SdkAppId", "InvalidParameter.TaskId", { SdkAppId: 1, TaskId: "e" }]);
    const forbiddenSlot = reading.input.tasks[1]!;
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
    expect(readWaitOptions({ SdkAppId: 1 })).toBeUndefined();
    expect(readWaitOptions({ waitFor: null, waitTimeoutSeconds: "x" })).toBeUndefined();
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
    expect(() => readWaitOptions(event)).toThrow(expect.objectContaining({ code }));
  });

  it("accepts the documented ranges", () => {
    expect(readWaitOptions({ waitFor: "InProgress", waitTimeoutSeconds: 1.5, pollIntervalSeconds: 1 })).toEqual({ waitFor: "InProgress", waitTimeoutSeconds: 1.5, pollIntervalSeconds: 1 });
  });
});

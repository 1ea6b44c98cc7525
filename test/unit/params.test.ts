import { describe, expect, it } from "vitest";
import { checkTaskParams, pickTaskParams } from "../../lib/params";

/** The contract's parameter rules, end to end: pick, normalise, check, one code. */
function check(...sources: Record<string, unknown>[]): string {
  const checked = checkTaskParams(pickTaskParams(sources));
  return checked.ok ? "ok" : checked.error.code;
}

describe("parameter rules", () => {
  it.each([
    [{ SdkAppId: 1400000001, TaskId: "abc" }, "ok"],
    [{ SdkAppId: "1400000001", TaskId: "abc" }, "ok"],
    [{ sdkAppId: 1, taskId: "a" }, "ok"],
    [{ SdkAppId: 4294967295, TaskId: "a" }, "ok"],
    [{ SdkAppId: "007", TaskId: "a" }, "ok"],
    [{ SdkAppId: 1, TaskId: "~!x".padEnd(256, "z") }, "ok"],
    [{ TaskId: "a" }, "MissingParameter.SdkAppId"],
    [{ SdkAppId: null, TaskId: "a" }, "MissingParameter.SdkAppId"],
    [{ SdkAppId: "", TaskId: "a" }, "MissingParameter.SdkAppId"],
    [{ SdkAppId: 1 }, "MissingParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: "" }, "MissingParameter.TaskId"],
    [{}, "MissingParameter.SdkAppId"],
    [{ SdkAppId: 0, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: -1, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: -0, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: 1.5, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: 4294967296, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: "4294967296", TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: Infinity, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: Number.NaN, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: "0x10", TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: " 123", TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: "١٢٣", TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: "1e3", TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: "+5", TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: true, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: [1], TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: { n: 1 }, TaskId: "a" }, "InvalidParameter.SdkAppId"],
    [{ SdkAppId: 1, TaskId: "a b" }, "InvalidParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: "a\tb" }, "InvalidParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: "a\u0000" }, "InvalidParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: "tâche" }, "InvalidParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: "x".repeat(257) }, "InvalidParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: 123 }, "InvalidParameter.TaskId"],
    [{ SdkAppId: 1, TaskId: ["a"] }, "InvalidParameter.TaskId"],
    // Several faults: SdkAppId before TaskId, missing before malformed.
    [{ SdkAppId: "x", TaskId: "a b" }, "InvalidParameter.SdkAppId"],
    [{ TaskId: "a b" }, "MissingParameter.SdkAppId"],
  ] as Array<[Record<string, unknown>, string]>)("%j → %s", (event, expected) => {
    expect(check(event)).toBe(expected);
  });

  it("reads only own keys: a polluted prototype or __proto__ key supplies nothing", () => {
    const viaProto = JSON.parse('{"__proto__":{"SdkAppId":1,"TaskId":"a"}}');
    expect(check(viaProto)).toBe("MissingParameter.SdkAppId");
    const inherited = Object.create({ SdkAppId: 1, TaskId: "a" });
    expect(check(inherited)).toBe("MissingParameter.SdkAppId");
  });

  it("later sources win, and PascalCase wins over camelCase within a source", () => {
    expect(pickTaskParams([{ TaskId: "q" }, { TaskId: "b" }])).toEqual({ TaskId: "b" });
    expect(pickTaskParams([{ TaskId: "P", taskId: "c" }])).toEqual({ TaskId: "P" });
    expect(pickTaskParams([{ TaskId: "q" }, { TaskId: null }])).toEqual({ TaskId: "q" });
  });
});

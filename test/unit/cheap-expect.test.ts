/**
 * test/support/fuzz-capture.ts's cheapExpect, which the fuzz loops use instead of expect(): it must pass exactly
 * where expect() passes and fail where it fails, including where its own quick comparison cannot decide.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cheapExpect } from "../support/fuzz-capture";

const passes = (assertion: () => void) => {
  try {
    assertion();
    return true;
  } catch {
    return false;
  }
};

type Matcher = "toBe" | "toEqual" | "toMatchObject";
function agree(matcher: Matcher, actual: unknown, wanted: unknown): void {
  const cheap = cheapExpect(actual);
  const full = expect(actual);
  const cheapPasses = passes(() => (matcher === "toMatchObject" ? cheap.toMatchObject(wanted as object) : cheap[matcher](wanted)));
  const fullPasses = passes(() => (matcher === "toMatchObject" ? full.toMatchObject(wanted as object) : full[matcher](wanted)));
  expect(cheapPasses, `${matcher}(${JSON.stringify(actual)}, ${JSON.stringify(wanted)})`).toBe(fullPasses);
}

const symbol = Symbol("s");
/** Pairs where the quick comparison and expect() could differ: undefined members, -0, NaN, extra keys, matchers. */
const PAIRS: Array<[unknown, unknown]> = [
  [{ a: 1 }, { a: 1 }],
  [{ a: 1, b: undefined }, { a: 1 }],
  [{ a: 1 }, { a: 1, b: undefined }],
  [{ a: 1, b: 2 }, { a: 1 }],
  [{ a: { b: 1, c: 2 } }, { a: { b: 1 } }],
  [{ a: [1, { b: 1, c: 2 }] }, { a: [1, { b: 1 }] }],
  [{ a: [1, 2] }, { a: [1] }],
  [0, -0],
  [{ a: 0 }, { a: -0 }],
  [NaN, NaN],
  [null, undefined],
  [null, {}],
  ["1", 1],
  [[], {}],
  [{}, []],
  [Object.assign([1], { extra: 1 }), [1]],
  [{ [symbol]: 1 }, {}],
  [Object.create(null), {}],
  [{ message: "m" }, { message: expect.any(String) }],
  [{ message: 1 }, { message: expect.any(String) }],
  [{ id: "0f-aa" }, { id: expect.stringMatching(/^[0-9a-f-]+$/) }],
  [{ __proto__: null, a: 1 }, { a: 1 }],
  [JSON.parse('{"__proto__": {"a": 1}}'), JSON.parse('{"__proto__": {"a": 1}}')],
  [JSON.parse('{"__proto__": {"a": 1}}'), {}],
];

describe("cheapExpect agrees with expect()", () => {
  it.each(["toBe", "toEqual", "toMatchObject"] as const)("%s, on pairs chosen to tell them apart", (matcher) => {
    for (const [actual, wanted] of PAIRS) agree(matcher, actual, wanted);
  });

  it.each(["toEqual", "toMatchObject"] as const)("%s, on generated JSON-like pairs", (matcher) => {
    const value = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    fc.assert(fc.property(value, value, (actual, wanted) => agree(matcher, actual, wanted)), { numRuns: 150 });
    fc.assert(fc.property(value, (actual) => agree(matcher, actual, structuredClone(actual))), { numRuns: 50 });
  });

  it("toHaveLength and notToHaveProperty", () => {
    for (const [actual, length] of [[[1], 1], [[1], 2], ["ab", 2], [undefined, 0], [{ length: 1 }, 1]] as const) {
      expect(passes(() => cheapExpect(actual).toHaveLength(length))).toBe(passes(() => expect(actual).toHaveLength(length)));
    }
    for (const actual of [{}, { statusCode: 200 }, { statusCode: undefined }, Object.create({ statusCode: 1 }), "x", 1, null, undefined]) {
      expect(passes(() => cheapExpect(actual).notToHaveProperty("statusCode"))).toBe(passes(() => expect(actual).not.toHaveProperty("statusCode")));
    }
  });

  it("fails with expect()'s own message and the message given", () => {
    expect(() => cheapExpect({ a: 1 }, "the answer").toEqual({ a: 2 })).toThrow(/the answer/);
    expect(() => cheapExpect(1).toBe(2)).toThrow(/expected 1 to be 2/);
  });
});

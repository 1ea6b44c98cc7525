import { describe, expect, it } from "vitest";
import { Deadline } from "../../lib/deadline";
import { invocationFromContext } from "../../lib/platform";
import { awsContext, minimalScfContext, scfContext } from "../support/bundle";

/** A clock standing at `t`. */
const at = (t: number) => ({ now: () => t, sleep: async () => undefined });

describe("invocationFromContext", () => {
  it("reads AWS's request id and remaining time", () => {
    const inv = invocationFromContext(awsContext(3000, "aws-1"), at(1000));
    expect(inv).toMatchObject({ platform: "aws", requestId: "aws-1", startedAt: 1000 });
    expect(inv.deadline.at).toBeGreaterThan(1000 + 2500);
    expect(inv.deadline.at).toBeLessThanOrEqual(1000 + 3000 - 100);
  });

  it("reads SCF's request id and time limit, with no getRemainingTimeInMillis", () => {
    const inv = invocationFromContext(minimalScfContext(3000, "scf-1"), at(0));
    expect(inv).toMatchObject({ platform: "scf", requestId: "scf-1" });
    expect(inv.deadline.at).toBe(3000 - 300);
  });

  it("falls back to a local id and a default limit", () => {
    const inv = invocationFromContext(undefined, at(0));
    expect(inv.platform).toBe("local");
    expect(inv.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(inv.deadline.at).toBe(30_000 - 1000);
  });

  it("makes the invocation's one clock: its deadline tells time on the clock it was given", () => {
    let t = 500;
    const inv = invocationFromContext(minimalScfContext(3000, "scf-6"), { now: () => t, sleep: async () => undefined });
    expect(inv.deadline).toBeInstanceOf(Deadline);
    expect(inv.startedAt).toBe(500);
    t = 1500;
    expect(inv.deadline.remaining()).toBe(500 + 3000 - 300 - 1500);
  });
});

describe("SCF contexts, with and without getRemainingTimeInMillis / callbackWaitsForEmptyEventLoop", () => {
  it("the context of SCF's Node.js runtime: its remaining time sets the deadline", () => {
    const context = scfContext(3000, "scf-2");
    expect(context.callbackWaitsForEmptyEventLoop).toBe(true);
    const now = Date.now();
    const inv = invocationFromContext(context, at(now));
    expect(inv).toMatchObject({ platform: "scf", requestId: "scf-2" });
    expect(inv.deadline.at - now).toBeGreaterThan(2500);
    expect(inv.deadline.at - now).toBeLessThanOrEqual(3000 - 300);
  });

  it("time spent before the handler (init, queueing) shortens the deadline when the runtime says so", () => {
    const inv = invocationFromContext({ ...scfContext(3000, "scf-3"), getRemainingTimeInMillis: () => 1200 }, at(0));
    expect(inv.platform).toBe("scf");
    expect(inv.deadline.at).toBeLessThan(1200);
    expect(inv.deadline.at).toBeGreaterThan(600);
  });

  it("a context without them: the configured limit sets the deadline, the platform is still SCF", () => {
    const context = minimalScfContext(3000, "scf-4");
    expect(context).not.toHaveProperty("getRemainingTimeInMillis");
    expect(context).not.toHaveProperty("callbackWaitsForEmptyEventLoop");
    const inv = invocationFromContext(context, at(0));
    expect(inv).toMatchObject({ platform: "scf", requestId: "scf-4" });
    expect(inv.deadline.at).toBe(3000 - 300);
  });

  it("a remaining time that is not a positive number falls back to the configured limit", () => {
    for (const remaining of [0, -5, Number.NaN, "soon"]) {
      const inv = invocationFromContext({ ...minimalScfContext(3000, "scf-5"), getRemainingTimeInMillis: () => remaining }, at(0));
      expect(inv.deadline.at).toBe(3000 - 300);
    }
  });
});

import { describe, expect, it } from "vitest";
import { invocationFromContext } from "../../lib/platform";
import { minimalScfContext, scfContext } from "../support/bundle";

describe("SCF contexts, with and without getRemainingTimeInMillis / callbackWaitsForEmptyEventLoop", () => {
  it("the context of SCF's Node.js runtime: its remaining time sets the deadline", () => {
    const context = scfContext(3000, "scf-2");
    expect(context.callbackWaitsForEmptyEventLoop).toBe(true);
    const now = Date.now();
    const inv = invocationFromContext(context, now);
    expect(inv).toMatchObject({ platform: "scf", requestId: "scf-2" });
    expect(inv.deadline - now).toBeGreaterThan(2500);
    expect(inv.deadline - now).toBeLessThanOrEqual(3000 - 300);
  });

  it("time spent before the handler (init, queueing) shortens the deadline when the runtime says so", () => {
    const inv = invocationFromContext({ ...scfContext(3000, "scf-3"), getRemainingTimeInMillis: () => 1200 }, 0);
    expect(inv.platform).toBe("scf");
    expect(inv.deadline).toBeLessThan(1200);
    expect(inv.deadline).toBeGreaterThan(600);
  });

  it("a context without them: the configured limit sets the deadline, the platform is still SCF", () => {
    const context = minimalScfContext(3000, "scf-4");
    expect(context).not.toHaveProperty("getRemainingTimeInMillis");
    expect(context).not.toHaveProperty("callbackWaitsForEmptyEventLoop");
    expect(invocationFromContext(context, 0)).toMatchObject({ platform: "scf", requestId: "scf-4", deadline: 3000 - 300 });
  });

  it("a remaining time that is not a positive number falls back to the configured limit", () => {
    for (const remaining of [0, -5, Number.NaN, "soon"]) {
      const inv = invocationFromContext({ ...minimalScfContext(3000, "scf-5"), getRemainingTimeInMillis: () => remaining }, 0);
      expect(inv.deadline).toBe(3000 - 300);
    }
  });
});

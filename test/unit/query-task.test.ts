/**
 * queryTask's own logic (lib/query-task.ts) with a scripted TrtcApi: an attempt the invocation's deadline cuts
 * shorter than the API's own time-out gets a real AbortSignal with that bound, taken after the pacer's wait;
 * retryability is the catalogue's; a query the pacer let not start answers UpstreamTimeout. The real SDK and transport are in test/hardening and test/integration.
 */
import { describe, expect, it } from "vitest";
import { Deadline } from "../../lib/deadline";
import { TrtcFunctionError } from "../../lib/errors";
import { queryTask } from "../../lib/query-task";
import type { CallOptions, TrtcApi } from "../../lib/trtc-client";
import { pendingTimers, tick } from "../support/leaks";

const config = { region: "ap-singapore" as const, attemptTimeoutMs: 1000, maxAttempts: 3 };
const task = { SdkAppId: 1400000001, TaskId: "unit-task" };

/** An API that answers each call with the next scripted outcome (an error is thrown), recording each call's options. */
function scripted(...outcomes: Array<TrtcFunctionError | "InProgress" | "hang">): TrtcApi & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  return {
    calls,
    callTimeoutMs: config.attemptTimeoutMs,
    describeStreamIngest: async (_params, options) => {
      calls.push(options);
      const next = outcomes[Math.min(calls.length - 1, outcomes.length - 1)]!;
      if (next === "InProgress") return { status: "InProgress", requestId: `req-${calls.length}` };
      if (next === "hang") {
        // What the transport does: ends the attempt when its signal aborts, else after the API's own time-out.
        return new Promise((_, reject) => {
          const timeout = () => reject(new TrtcFunctionError("UpstreamTimeout", "no answer"));
          if (options.signal) options.signal.addEventListener("abort", timeout, { once: true });
          else setTimeout(timeout, config.attemptTimeoutMs);
        });
      }
      throw next;
    },
  };
}

describe("queryTask", () => {
  it("an attempt with its full bound relies on the API's own time-out: no signal, no timer of its own", async () => {
    await tick();
    const timersBefore = pendingTimers();
    const api = scripted("InProgress");
    const { result, stats } = await queryTask({ api, config }, task, { requestId: "trace-1", deadline: new Deadline(Date.now() + 5000) });
    expect(result).toMatchObject({ ok: true, status: "InProgress", requestId: "req-1" });
    expect(stats.attempts).toBe(1);
    expect(api.calls[0]!.traceId).toBe("trace-1");
    expect(api.calls[0]!.signal).toBeUndefined();
    await tick();
    expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("an attempt the deadline cuts shorter gets a real AbortSignal, not aborted once it answered, its timer gone", async () => {
    await tick();
    const timersBefore = pendingTimers();
    const api = scripted("InProgress");
    const { result } = await queryTask({ api, config }, task, { requestId: "trace-2", deadline: new Deadline(Date.now() + 600) });
    expect(result).toMatchObject({ ok: true, status: "InProgress" });
    expect(api.calls[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(api.calls[0]!.signal!.aborted).toBe(false);
    await tick();
    expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("aborts an attempt that hangs at the deadline's cut: the attempt time-out, or the time left when less", async () => {
    const api = scripted("hang");
    const started = Date.now();
    const { result, stats } = await queryTask({ api, config: { ...config, maxAttempts: 1 } }, task, { requestId: "r", deadline: new Deadline(Date.now() + 300) });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, error: { code: "UpstreamTimeout" } });
    expect(stats.attempts).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(700); // 300 ms, not the 1000 ms attempt time-out
    expect(api.calls[0]!.signal!.aborted).toBe(true);
  });

  it("retries what the catalogue calls retryable, and only that", async () => {
    const flaky = scripted(new TrtcFunctionError("UpstreamHttpError", "502"), "InProgress");
    const answered = await queryTask({ api: flaky, config, random: () => 0 }, task, { requestId: "r", deadline: new Deadline(Date.now() + 5000) });
    expect(answered.result.ok).toBe(true);
    expect(answered.stats.attempts).toBe(2);
    for (const code of ["InvalidConfiguration.Endpoint", "InvalidConfiguration.Credentials", "AuthFailure.SignatureFailure", "InvalidParameterValue"]) {
      const api = scripted(new TrtcFunctionError(code, "no"));
      const { result, stats } = await queryTask({ api, config, random: () => 0 }, task, { requestId: "r", deadline: new Deadline(Date.now() + 5000) });
      expect(result).toMatchObject({ ok: false, error: { code, retryable: false } });
      expect(stats.attempts, code).toBe(1);
    }
  });

  it("retries an expired token once (the keys are re-read), not twice", async () => {
    const api = scripted(new TrtcFunctionError("AuthFailure.TokenFailure", "expired"));
    const { result, stats } = await queryTask({ api, config, random: () => 0 }, task, { requestId: "r", deadline: new Deadline(Date.now() + 5000) });
    expect(result).toMatchObject({ ok: false, error: { code: "AuthFailure.TokenFailure" } });
    expect(stats.attempts).toBe(2);
  });

  it("a query the pacer lets not start answers UpstreamTimeout without a request, or the failure before it", async () => {
    const api = scripted("InProgress");
    const none = await queryTask({ api, config, beforeAttempt: () => false }, task, { requestId: "r", deadline: new Deadline(Date.now() + 5000) });
    expect(none.result).toMatchObject({ ok: false, error: { code: "UpstreamTimeout", retryable: true } });
    expect(none.stats.attempts).toBe(0);
    expect(api.calls).toHaveLength(0);

    let starts = 0;
    const throttled = scripted(new TrtcFunctionError("RequestLimitExceeded", "slow down"));
    const second = await queryTask({ api: throttled, config, random: () => 0, beforeAttempt: () => ++starts < 2 }, task, {
      requestId: "r",
      deadline: new Deadline(Date.now() + 5000),
    });
    expect(second.result).toMatchObject({ ok: false, error: { code: "RequestLimitExceeded" } });
    expect(second.stats).toMatchObject({ attempts: 1, throttled: 1 });
  });
});

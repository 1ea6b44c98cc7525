/**
 * The HTTP edge, deterministically at its boundaries (the fuzz covers the space between): the 64 KB body limit
 * in plain and base64 form, parsing that cannot pollute prototypes, security headers on every answer, and CORS
 * off unless CORS_ALLOWED_ORIGINS opens it to a list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator";
import { awsContext, captureStdout, loadBundle, scfContext, type Bundle } from "../support/bundle";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import fc from "fast-check";
import { assertFuzz, cheapExpect } from "../support/fuzz-capture";
import { httpEventArb } from "../support/fuzz-events";
import { expectFor } from "../support/fuzz-oracle";
import { HTTP_EVENT_KINDS, albMultiValueEvent, awsHttpApiEvent, awsRestEvent, tencentApiGatewayEvent, tencentFunctionUrlEvent } from "../support/events";

const LIMIT = 64 * 1024;

let emulator: RunningEmulator;
let env: Record<string, string | undefined>;
let fn: Bundle;

beforeAll(async () => {
  // No rate limit on either side: the answered calls (the fuzz's valid events, each kind's at-limit body, every
  // Origin spelling) would wait 55 ms each for the 18/s pace, which test/workflow/batch.test.ts and test/fleet prove.
  let started: Record<string, string | undefined>;
  ({ emulator, env: started } = await startTestEmulator({ rateLimitPerSecond: 1_000_000 }));
  env = { ...started, TRTC_RATE_LIMIT_PER_SECOND: "1000000" };
  fn = loadBundle({ ...env, CORS_ALLOWED_ORIGINS: undefined });
});
afterAll(() => emulator?.close());

const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

async function call(bundle: Bundle, event: unknown) {
  emulator.resetStats();
  const { value } = await captureStdout(() => bundle.handler(event, awsContext(10_000)));
  // An ALB in multi-value mode reads the answer's headers from multiValueHeaders only.
  const headers: Record<string, string> = value.multiValueHeaders
    ? Object.fromEntries(Object.entries(value.multiValueHeaders as Record<string, string[]>).map(([k, v]) => [k, v.join(", ")]))
    : value.headers;
  return { status: value.statusCode as number, headers: lower(headers), raw: headers, body: value.body ? JSON.parse(value.body) : undefined, upstream: emulator.stats().requests };
}

/** A valid query body padded with spaces inside the object to exactly `bytes` bytes. */
function bodyOf(bytes: number): string {
  const json = JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK });
  return `${json.slice(0, -1)}${" ".repeat(bytes - json.length)}}`;
}

describe("request body limit: 64 KB, far below the platforms' 6 MB / 10 MB", () => {
  it.each(Object.keys(HTTP_EVENT_KINDS) as Array<keyof typeof HTTP_EVENT_KINDS>)("%s: exactly 64 KB is read, one byte more is 413, plain or base64", async (kind) => {
    for (const base64 of [false, true]) {
      const encode = (text: string) => (base64 ? Buffer.from(text).toString("base64") : text);
      const atLimit = await call(fn, HTTP_EVENT_KINDS[kind]({ method: "POST", body: encode(bodyOf(LIMIT)), isBase64Encoded: base64 }));
      expect(atLimit.status).toBe(200);
      expect(atLimit.body).toMatchObject({ ok: true, status: "InProgress" });
      const over = await call(fn, HTTP_EVENT_KINDS[kind]({ method: "POST", body: encode(bodyOf(LIMIT + 1)), isBase64Encoded: base64 }));
      expect(over.status).toBe(413);
      expect(over.body).toMatchObject({ ok: false, sdkAppId: null, taskId: null, error: { code: "RequestSizeLimitExceeded", retryable: false } });
      expect(over.upstream).toBe(0);
    }
  });

  it("a 5 MB body (under the platforms' limits) is refused quickly with 413, unparsed", async () => {
    const huge = `{"SdkAppId":${APP},"TaskId":"${"x".repeat(5_000_000)}"}`;
    for (const event of [awsRestEvent({ method: "POST", body: huge }), awsHttpApiEvent({ method: "POST", body: Buffer.from(huge).toString("base64"), isBase64Encoded: true })]) {
      const started = performance.now();
      const { status, upstream } = await call(fn, event);
      expect(status).toBe(413);
      expect(upstream).toBe(0);
      expect(performance.now() - started).toBeLessThan(1000); // generous: the point is "not parsed", not a benchmark
    }
  });
});

describe("parsing cannot be polluted", () => {
  it.each([
    ["__proto__ in a JSON body", awsHttpApiEvent({ method: "POST", body: `{"__proto__":{"SdkAppId":${APP},"TaskId":"${DEMO_TASK}","polluted":true}}` })],
    ["constructor.prototype in a JSON body", awsHttpApiEvent({ method: "POST", body: `{"constructor":{"prototype":{"SdkAppId":${APP},"TaskId":"${DEMO_TASK}","polluted":true}}}` })],
    ["__proto__ in a base64 body", tencentApiGatewayEvent({ method: "POST", body: Buffer.from(`{"__proto__":{"SdkAppId":${APP},"TaskId":"x","polluted":true}}`).toString("base64"), isBase64Encoded: true })],
    ["__proto__ in the query", { ...awsRestEvent(), queryStringParameters: JSON.parse(`{"__proto__":{"SdkAppId":"${APP}","TaskId":"x","polluted":true}}`) }],
    ["__proto__ in a direct invocation", JSON.parse(`{"__proto__":{"SdkAppId":${APP},"TaskId":"x","polluted":true}}`)],
  ])("%s reads nothing and sets nothing", async (_name, event) => {
    emulator.resetStats();
    const { value } = await captureStdout(() => fn.handler(event, awsContext(10_000)));
    const payload = typeof value.body === "string" ? JSON.parse(value.body) : value;
    expect(payload).toMatchObject({ ok: false, error: { code: "MissingParameter.SdkAppId" } });
    expect(emulator.stats().requests).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).SdkAppId).toBeUndefined();
  });
});

describe("security headers on every HTTP answer", () => {
  it.each([
    ["200 (answered)", { SdkAppId: String(APP), TaskId: DEMO_TASK }, 200],
    ["400 (invalid input)", { SdkAppId: "abc", TaskId: DEMO_TASK }, 400],
    ["403 (allow-list)", { SdkAppId: "1400000099", TaskId: DEMO_TASK }, 403],
    ["502 (upstream fault)", { SdkAppId: String(APP), TaskId: DEMO_TASK }, 502],
  ])("%s", async (_name, query, status) => {
    const bundle = status === 403 ? loadBundle({ ...env, TRTC_ALLOWED_SDK_APP_IDS: String(APP) }) : fn;
    if (status === 502) emulator.addFault({ fault: { type: "http5xx" } });
    try {
      const { headers, status: got } = await call(bundle, awsHttpApiEvent({ query }));
      expect(got).toBe(status);
      expect(headers).toMatchObject({ "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" });
    } finally {
      emulator.clearFaults();
      process.env.TRTC_ALLOWED_SDK_APP_IDS = "";
    }
  });

  it.each(Object.keys(HTTP_EVENT_KINDS) as Array<keyof typeof HTTP_EVENT_KINDS>)("%s: every header name lower-case, none without a value", async (kind) => {
    for (const query of [{ SdkAppId: String(APP), TaskId: DEMO_TASK }, { SdkAppId: "abc" }] as Array<Record<string, string>>) {
      const { raw } = await call(fn, HTTP_EVENT_KINDS[kind]({ query }));
      for (const [name, value] of Object.entries(raw)) {
        expect(name).toBe(name.toLowerCase());
        expect(typeof value === "string" && value.length > 0, `${name}: ${JSON.stringify(value)}`).toBe(true);
      }
      expect(raw).not.toHaveProperty("reporting-endpoints");
    }
  });

  it("a direct invocation gets the plain object, no HTTP envelope or headers", async () => {
    const { value } = await captureStdout(() => fn.main_handler({ SdkAppId: APP, TaskId: DEMO_TASK }, scfContext(10_000)));
    expect(value).toMatchObject({ ok: true });
    expect(value).not.toHaveProperty("headers");
    expect(value).not.toHaveProperty("statusCode");
  });
});

describe("CORS", () => {
  const ALLOWED = "https://ops.example.com";
  const preflight = (origin: string) =>
    awsHttpApiEvent({ method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });
  const get = (origin: string) => awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK }, headers: { Origin: origin } });
  const corsHeaders = (headers: Record<string, string>) => Object.keys(headers).filter((h) => h.startsWith("access-control-"));

  it("is off by default: no Access-Control-* header for any origin, and a preflight is refused (405)", async () => {
    const answer = await call(fn, get(ALLOWED));
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer.headers)).toEqual([]);
    const pre = await call(fn, preflight(ALLOWED));
    expect(pre.status).toBe(405);
    expect(corsHeaders(pre.headers)).toEqual([]);
  });

  it("CORS_ALLOWED_ORIGINS opens it to the listed origins only", async () => {
    const cors = loadBundle({ ...env, CORS_ALLOWED_ORIGINS: `${ALLOWED}, https://admin.example.com` });
    try {
      const allowed = await call(cors, get(ALLOWED));
      expect(allowed.status).toBe(200);
      expect(allowed.headers["access-control-allow-origin"]).toBe(ALLOWED);
      expect(allowed.headers.vary ?? "").toMatch(/origin/i);
      const pre = await call(cors, preflight(ALLOWED));
      expect(pre.status).toBe(204);
      expect(pre.headers["access-control-allow-origin"]).toBe(ALLOWED);
      expect(pre.upstream).toBe(0);

      const other = await call(cors, get("https://evil.example.net"));
      expect(other.status).toBe(200);
      expect(other.headers["access-control-allow-origin"] ?? null).not.toBe("https://evil.example.net");
      expect(other.headers["access-control-allow-origin"] ?? null).not.toBe("*");
      const otherPre = await call(cors, preflight("https://evil.example.net"));
      expect(otherPre.headers["access-control-allow-origin"] ?? null).not.toBe("https://evil.example.net");
    } finally {
      process.env.CORS_ALLOWED_ORIGINS = "";
    }
  });

  it("reads the Origin header whatever its case and whichever map carries it, on every kind", async () => {
    const cors = loadBundle({ ...env, CORS_ALLOWED_ORIGINS: ALLOWED });
    try {
      for (const [kind, make] of Object.entries(HTTP_EVENT_KINDS)) {
        for (const name of ["Origin", "origin", "ORIGIN"]) {
          const answer = await call(cors, make({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK }, headers: { [name]: ALLOWED } }));
          expect(answer.status, `${kind} ${name}`).toBe(200);
          expect(answer.headers["access-control-allow-origin"], `${kind} ${name}`).toBe(ALLOWED);
        }
      }
    } finally {
      process.env.CORS_ALLOWED_ORIGINS = "";
    }
  });

  it.each([
    ["REST API, the client's header case", awsRestEvent({ method: "OPTIONS", headers: { ORIGIN: ALLOWED, "Access-Control-Request-Method": "POST" } })],
    ["ALB in multi-value mode", albMultiValueEvent({ method: "OPTIONS", headers: { Origin: ALLOWED, "Access-Control-Request-Method": "POST" } })],
    ["Tencent function URL", tencentFunctionUrlEvent({ method: "OPTIONS", headers: { origin: ALLOWED, "access-control-request-method": "POST" } })],
    ["Tencent API Gateway", tencentApiGatewayEvent({ method: "OPTIONS", headers: { Origin: ALLOWED, "Access-Control-Request-Method": "POST" } })],
  ])("a preflight (%s) answers 204 with Access-Control-Allow-Origin, what a JSON POST needs, and the security headers", async (_name, event) => {
    const cors = loadBundle({ ...env, CORS_ALLOWED_ORIGINS: ALLOWED });
    try {
      const pre = await call(cors, event);
      expect(pre.status).toBe(204);
      expect(pre.upstream).toBe(0);
      expect(pre.headers).toMatchObject({
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "content-type",
        "x-content-type-options": "nosniff",
      });
      for (const [name, value] of Object.entries(pre.raw)) {
        expect(name).toBe(name.toLowerCase());
        expect(value).not.toBe("");
      }
    } finally {
      process.env.CORS_ALLOWED_ORIGINS = "";
    }
  });
});

describe("fuzz: ALB events, single- and multi-value mode, against the oracle", () => {
  // hardening.test.ts fuzzes the other kinds; an ALB's encoded query and multi-value answer are checked here.
  it.each([["alb", 400], ["alb-multi-value", 400]] as const)("%s (%i cases)", async (kind, runs) => {
    await assertFuzz(
      httpEventArb(kind) as fc.Arbitrary<unknown>,
      async (event) => {
        // cheapExpect: expect() only for a check that fails.
        const expected = expectFor(event, undefined);
        const answer = await call(fn, event);
        cheapExpect(answer.status).toBe(expected.status);
        cheapExpect(answer.headers).toMatchObject({ "content-type": "application/json", "x-content-type-options": "nosniff" });
        if (expected.code) {
          cheapExpect(answer.upstream).toBe(0);
          cheapExpect(answer.body).toMatchObject({ ok: false, sdkAppId: expected.sdkAppId, taskId: expected.taskId, error: { code: expected.code } });
        } else {
          cheapExpect(answer.upstream).toBe(1);
          cheapExpect(answer.body).toMatchObject({ ok: true, sdkAppId: expected.sdkAppId, taskId: expected.taskId });
        }
      },
      runs,
      process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
    );
  }, 60_000);
});

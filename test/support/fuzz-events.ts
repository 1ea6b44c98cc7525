/**
 * fast-check arbitraries for hostile events: every kind the contract recognises, shapes that are none of them,
 * and values a careless parser trips on. Objects are built with Object.fromEntries so `__proto__` becomes an own
 * key, as JSON.parse makes it on the platforms.
 */
import fc from "fast-check";
import { MAX_BODY_BYTES } from "./fuzz-oracle";
import { APP, DEMO_TASK } from "./emulator";
import { HTTP_EVENT_KINDS } from "./events";
import { TRIGGER_EVENTS } from "./trigger-events";

const ALLOWED_OTHER_APP = 1400000002;
/** A valid SdkAppId outside the allow-list the fuzz configures. */
export const FORBIDDEN_APP = 1400000099;
export const FUZZ_ALLOWED = `${APP},${ALLOWED_OTHER_APP}`;

const HUGE = "A".repeat(200_000);

/** Values that are fine for SdkAppId, as a number or a string. */
const goodSdkAppId = fc.constantFrom<unknown>(APP, String(APP), ALLOWED_OTHER_APP, String(ALLOWED_OTHER_APP), FORBIDDEN_APP, "0001400000001");
const goodTaskId = fc.oneof(
  fc.constantFrom<unknown>(DEMO_TASK, "t", "!~", "x".repeat(256)),
  fc.stringMatching(/^[!-~]{1,64}$/),
);

/** Numbers and strings that look like SdkAppIds but are not, and the boundary values around the rule. */
const trickyNumber = fc.oneof(
  fc.constantFrom<unknown>(0, -0, -1, 1, 1.5, 4294967295, 4294967296, 2 ** 53 + 1, Infinity, -Infinity, 1e309, -1e309, 1e-7, 1400000001.0000002),
  fc.integer(),
  fc.double({ noNaN: true }),
);
/**
 * One code point of any plane, not a lone surrogate: what `fc.string({ unit: "binary" })` draws from, as the same
 * arbitrary (a nat mapped to a code point, skipping the surrogates), so it generates exactly the same strings for a
 * seed. fast-check's own unit finds out whether a string is one of its characters through a map of all 1,112,064
 * of them, which it builds when the string arbitrary is constructed: 1.2 CPU-s at import, in each fuzz file.
 */
const SURROGATES = 0xdfff - 0xd800 + 1;
const anyCodePoint = fc.nat({ max: 0x10ffff - SURROGATES }).map(
  (index) => String.fromCodePoint(index < 0xd800 ? index : index + SURROGATES),
  (value) => {
    const codePoint = typeof value === "string" ? value.codePointAt(0) : undefined;
    if (codePoint === undefined || String.fromCodePoint(codePoint) !== value || (codePoint >= 0xd800 && codePoint <= 0xdfff)) throw new Error("not one code point");
    return codePoint < 0xd800 ? codePoint : codePoint - SURROGATES;
  },
);

const trickyString = fc.oneof(
  fc.constantFrom<unknown>(
    " 123", "123 ", "١٢٣", "１２３", "1e3", "0x10", "0b1", "0o7", "+1", "-1", "1.0", "1_000", "4294967295", "4294967296", "0",
    "00000000000000000000001400000001", "0".repeat(40), "9".repeat(400), "\u0000", "\t", "a b", "x\ny", "\u007f", "é", "😀",
    "\ud800", "null", "undefined", "[object Object]", "__proto__", "constructor", "x".repeat(257), HUGE,
  ),
  fc.string(),
  fc.string({ unit: anyCodePoint, maxLength: 40 }), // = unit "binary"
  fc.stringMatching(/^[0-9]{1,24}$/),
);

/** Anything JSON can carry (and undefined, which a platform leaves out). */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<unknown>(undefined, null, "", true, false),
    trickyNumber,
    trickyString,
    goodSdkAppId,
    goodTaskId,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom("SdkAppId", "TaskId", "__proto__", "constructor", "prototype", "x"), tie("value")), { maxLength: 3 }).map((e) => Object.fromEntries(e)),
  ),
})).value;

const paramKey = fc.constantFrom("SdkAppId", "sdkAppId", "TaskId", "taskId", "SDKAPPID", "taskid", "__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf");

/** A parameter bag: mostly plausible, often hostile, keys that target prototypes included. */
export const paramBag: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    app: fc.oneof({ weight: 2, arbitrary: goodSdkAppId }, { weight: 5, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant(undefined) }),
    appKey: fc.constantFrom("SdkAppId", "sdkAppId"),
    task: fc.oneof({ weight: 2, arbitrary: goodTaskId }, { weight: 5, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant(undefined) }),
    taskKey: fc.constantFrom("TaskId", "taskId"),
    extra: fc.array(fc.tuple(fc.oneof(paramKey, fc.string({ maxLength: 8 })), hostileValue), { maxLength: 3 }),
  })
  .map(({ app, appKey, task, taskKey, extra }) => {
    const entries: Array<[string, unknown]> = [...extra];
    if (app !== undefined) entries.push([appKey, app]);
    if (task !== undefined) entries.push([taskKey, task]);
    return Object.fromEntries(entries);
  });

/** Keys that make an object look like (part of) an HTTP event. */
const shapeEntry = fc.oneof(
  fc.tuple(fc.constant("httpMethod"), fc.oneof(fc.constantFrom<unknown>("GET", "POST", "PUT"), hostileValue)),
  fc.tuple(fc.constant("version"), fc.constantFrom<unknown>("2.0", "1.0", 2, null)),
  fc.tuple(
    fc.constant("requestContext"),
    fc.oneof(
      hostileValue,
      fc.record({ http: fc.oneof(fc.record({ method: fc.oneof(fc.constantFrom<unknown>("GET", "POST"), hostileValue) }), hostileValue) }),
      fc.record({ serviceId: fc.oneof(fc.constant<unknown>("service-x"), hostileValue) }),
    ),
  ),
  fc.tuple(fc.constantFrom("headers", "multiValueHeaders"), hostileValue),
  fc.tuple(fc.constantFrom("body", "queryStringParameters", "queryString", "pathParameters", "isBase64Encoded", "throwOnError"), hostileValue),
  // The members that make a non-HTTP trigger's event (test/support/trigger-events.ts), real and hostile.
  fc.tuple(fc.constant("Records"), fc.oneof(fc.constantFrom<unknown>(...TRIGGER_EVENTS.map(([, e]) => (e as { Records?: unknown }).Records).filter(Boolean)), hostileValue)),
  fc.tuple(fc.constantFrom("source", "detail-type"), fc.oneof(fc.constantFrom<unknown>("aws.events", "Scheduled Event", "aws.ec2"), hostileValue)),
  fc.tuple(fc.constantFrom("awslogs", "clslogs"), fc.oneof(fc.constant<unknown>({ data: "H4sIAAAAAAAAAA==" }), hostileValue)),
  fc.tuple(fc.constantFrom("Type", "TriggerName"), fc.oneof(fc.constantFrom<unknown>("Timer", "EveryDay"), hostileValue)),
);

/** The platforms' documented trigger events as they are, and with parameters or hostile members mixed in. */
export const triggerEvent: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(...TRIGGER_EVENTS.map(([, e]) => e as Record<string, unknown>)), fc.option(paramBag, { nil: undefined }), fc.array(shapeEntry, { maxLength: 2 }))
  .map(([event, bag, shape]) => Object.fromEntries([...Object.entries(event), ...shape, ...Object.entries(bag ?? {})]));

/** Direct invocations, and objects that are almost an HTTP event but not quite (or quite, by accident). */
export const directEvent: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 9, arbitrary: fc
    .tuple(paramBag, fc.array(shapeEntry, { maxLength: 3 }), fc.constantFrom<unknown>(undefined, true, false, "true"))
    .map(([bag, shape, throwOnError]) =>
      Object.fromEntries([...Object.entries(bag), ...shape, ...(throwOnError === undefined ? [] : [["throwOnError", throwOnError]])]),
    ) },
  { weight: 1, arbitrary: triggerEvent },
);

/** Events that are not JSON objects at all. */
export const nonObjectEvent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, "", "{}", JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK }), 0, 1400000001, true, []),
  fc.string(),
  fc.double(),
  fc.array(paramBag, { minLength: 1, maxLength: 2 }),
);

const utf8Invalid = [
  [0xc3, 0x28], [0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80],
].map((b) => Buffer.from(b));

/** A body and its isBase64Encoded flag. */
export interface Body {
  body?: unknown;
  isBase64Encoded?: unknown;
}

const jsonOf = (bag: Record<string, unknown>) => JSON.stringify(bag) ?? "";

/** A JSON body padded with white space inside the object to exactly `bytes` bytes of UTF-8. */
function paddedJson(bag: Record<string, unknown>, bytes: number): string {
  const json = jsonOf(bag);
  const pad = Math.max(0, bytes - Buffer.byteLength(json));
  return json.length >= 2 ? `${json.slice(0, -1)}${" ".repeat(pad)}}` : json;
}

export const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({}),
  fc.constantFrom<Body>({ body: "" }, { body: null }, { body: 42 }, { body: { SdkAppId: APP, TaskId: DEMO_TASK } }, { body: "   \n" }, { body: "\u00a0" }),
  paramBag.map((bag) => ({ body: jsonOf(bag) })),
  paramBag.map((bag) => ({ body: Buffer.from(jsonOf(bag)).toString("base64"), isBase64Encoded: true })),
  paramBag.map((bag) => ({ body: Buffer.from(jsonOf(bag)).toString("base64url"), isBase64Encoded: true })),
  // A JSON body marked base64 that is not, and base64 that is not marked.
  paramBag.map((bag) => ({ body: jsonOf(bag), isBase64Encoded: true })),
  paramBag.map((bag) => ({ body: Buffer.from(jsonOf(bag)).toString("base64"), isBase64Encoded: false })),
  fc.constantFrom<Body>(
    { body: "{" }, { body: "{'SdkAppId':1}" }, { body: "[]" }, { body: "null" }, { body: "1" }, { body: '"x"' }, { body: "true" },
    { body: "{\"SdkAppId\":1400000001,}" }, { body: "\ufeff{}" }, { body: "{\"__proto__\":{\"SdkAppId\":1400000001,\"TaskId\":\"demo-task-in-progress\"}}" },
    { body: "{\"constructor\":{\"prototype\":{\"SdkAppId\":1400000001,\"TaskId\":\"x\"}}}" }, { body: "{\"SdkAppId\":1e309,\"TaskId\":\"x\"}" },
    { body: "{\"SdkAppId\":-0,\"TaskId\":\"x\"}" }, { body: "{\"SdkAppId\":1400000001,\"SdkAppId\":\"x\",\"TaskId\":\"t\"}" },
    { body: "%%%not-base64%%%", isBase64Encoded: true }, { body: "ab=c", isBase64Encoded: true }, { body: "====", isBase64Encoded: true },
    { body: "e30=\n", isBase64Encoded: true }, { body: "{}", isBase64Encoded: "true" },
  ),
  fc.string().map((body) => ({ body })),
  fc.constantFrom(...utf8Invalid).chain((bad) =>
    paramBag.map((bag) => {
      const json = Buffer.from(jsonOf(bag));
      return { body: Buffer.concat([json.subarray(0, 1), bad, json.subarray(1)]).toString("base64"), isBase64Encoded: true };
    }),
  ),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ body: Buffer.from(bytes).toString("base64"), isBase64Encoded: true })),
);

/** Bodies at and around the 64 KB limit, plain and base64, and far past it. */
export const bigBodyArb: fc.Arbitrary<Body> = fc
  .tuple(paramBag, fc.constantFrom(MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 3, 4 * MAX_BODY_BYTES), fc.boolean())
  .map(([bag, bytes, base64]) => {
    const json = paddedJson(bag, bytes);
    return base64 ? { body: Buffer.from(json).toString("base64"), isBase64Encoded: true } : { body: json };
  });

export const methodArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("GET", "POST") },
  { weight: 1, arbitrary: fc.constantFrom("get", "Post", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT", "", " GET", "GET ", "G\u0000ET") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** Hostile replacements for the structural members of an HTTP event. */
const structuralOverride = fc.oneof(
  fc.tuple(fc.constantFrom("queryStringParameters", "queryString", "pathParameters", "headers", "multiValueHeaders", "body", "isBase64Encoded"), hostileValue),
  fc.tuple(fc.constant("queryStringParameters"), paramBag),
  fc.tuple(fc.constant("queryString"), paramBag),
);

export type HttpKindName = keyof typeof HTTP_EVENT_KINDS;

/** An API Gateway event of the given kind, with parameters in path, query and body, and hostile members. */
export function httpEventArb(kind: HttpKindName, body: fc.Arbitrary<Body> = bodyArb): fc.Arbitrary<unknown> {
  return fc
    .record({
      method: methodArb,
      query: fc.option(paramBag, { nil: undefined }),
      path: fc.option(paramBag, { nil: undefined }),
      body,
      overrides: fc.array(structuralOverride, { maxLength: 2 }),
    })
    .map(({ method, query, path, body: b, overrides }) => {
      const event = HTTP_EVENT_KINDS[kind]({ method, query: query as Record<string, string>, path: path as Record<string, string> }) as Record<string, unknown>;
      if ("body" in b) event.body = b.body;
      if ("isBase64Encoded" in b) event.isBase64Encoded = b.isBase64Encoded;
      for (const [key, value] of overrides) event[key] = value;
      return event;
    });
}

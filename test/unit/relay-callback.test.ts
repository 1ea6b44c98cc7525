import fc from "fast-check";
import { webcrypto } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { describeErrorCode, TrtcFunctionError } from "../../lib/errors";
import { headersOf, httpRequestOf, MAX_BODY_BYTES, rawBodyBytes } from "../../lib/events";
import { callbackAnswerBody, MAX_CALLBACK_SKEW_MS, verifyCallback, type CallbackVerdict } from "../../lib/relay/callback";

/** A key as TRTC's console allows: up to 32 letters and digits (trtc.io/document/54912). */
const KEY = "Kc4llbackS3cretKeyABCDEFGHIJ0123";
const APP = 1400000001;

/** "Push online media stream started" as trtc.io/document/62717 prints it, byte for byte (spaces after some colons). */
const DOC_START = '{"EventGroupId": 7,"EventType": 701,"CallbackMsTs": 1701937900012,"EventInfo": {"EventMsTs": 1701937900013,"TaskId":"xx","Status":0}}';
const DOC_NOW = 1701937900012 + 800;

/**
 * The room-event body trtc.io/document/54912 signs in its example (group 1, tabs and newlines as TRTC sends them):
 * another group, and `CallbackTs`, not `CallbackMsTs`.
 */
const DOC_ROOM_EVENT =
  '{\n\t"EventGroupId":\t1,\n\t"EventType":\t103,\n\t"CallbackTs":\t1615554923704,\n\t"EventInfo":\t{\n\t\t"RoomId":\t12345,\n\t\t"EventTs":\t1608441737,\n\t\t"UserId":\t"test",\n\t\t"UniqueId":\t1615554922656,\n\t\t"Role":\t20,\n\t\t"Reason":\t1\n\t}\n}';

/** base64(HMAC-SHA256(key, body)) through WebCrypto: computed apart from the code under test (node:crypto's createHmac). */
async function signOf(body: string | Buffer, key = KEY): Promise<string> {
  const subtle = webcrypto.subtle;
  const cryptoKey = await subtle.importKey("raw", new TextEncoder().encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body);
  return Buffer.from(await subtle.sign("HMAC", cryptoKey, bytes)).toString("base64");
}

interface Sent {
  body: string | Buffer;
  sign?: string | null; // null: no Sign header; undefined: the right one
  sdkAppId?: string | null;
  key?: string | undefined;
  allowed?: ReadonlySet<number>;
  now?: number;
}

async function send({ body, sign, sdkAppId = String(APP), now = DOC_NOW, allowed, ...rest }: Sent): Promise<CallbackVerdict> {
  const key = "key" in rest ? rest.key : KEY;
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (sign !== null) headers.sign = sign ?? (await signOf(bytes));
  if (sdkAppId !== null) headers.sdkappid = sdkAppId;
  return verifyCallback({ headers, body: bytes }, { key, allowed, now });
}

/** A group-7 body with fields replaced (undefined removes one). */
function ingestBody(fields: Record<string, unknown> = {}, info: Record<string, unknown> = {}): string {
  const eventInfo = { EventMsTs: 1701937900013, TaskId: "task-1", Status: 0, ...info };
  const body: Record<string, unknown> = { EventGroupId: 7, EventType: 701, CallbackMsTs: 1701937900012, EventInfo: eventInfo, ...fields };
  return JSON.stringify(body);
}

function refusal(verdict: CallbackVerdict): TrtcFunctionError {
  if (verdict.kind !== "refused") throw new Error(`expected a refusal, got ${JSON.stringify(verdict)}`);
  return verdict.error;
}

const codeOf = (verdict: CallbackVerdict): string => (verdict.kind === "refused" ? verdict.error.code : verdict.kind);

describe("TRTC's documented bodies", () => {
  it("the start example of trtc.io/document/62717 is a 701/0 event of task xx", async () => {
    expect(await send({ body: DOC_START })).toEqual({
      kind: "event",
      task: { sdkAppId: APP, taskId: "xx" },
      event: { type: 701, status: 0, at: 1701937900013 },
    });
  });

  it("EventMsTs as a string of digits (the page's table types it String) is the same event", async () => {
    const body = DOC_START.replace('"EventMsTs": 1701937900013', '"EventMsTs": "1701937900013"');
    expect(await send({ body })).toMatchObject({ kind: "event", event: { type: 701, status: 0, at: 1701937900013 } });
  });

  it("a stop (702, Status 0), and types or statuses the contract does not name, are events to record", async () => {
    for (const [type, status] of [[702, 0], [701, 1], [701, 2], [703, 0], [701, 9], [702, -1]] as const) {
      const verdict = await send({ body: ingestBody({ EventType: type }, { Status: status }) });
      expect(verdict).toMatchObject({ kind: "event", event: { type, status, at: 1701937900013 } });
    }
  });

  it("the signed room-event example of trtc.io/document/54912 (group 1, CallbackTs) is ignored, not refused", async () => {
    expect(await send({ body: DOC_ROOM_EVENT })).toEqual({ kind: "ignored", group: 1 });
    // Any group but 7, with or without CallbackMsTs, even a stale one: nothing of it is recorded, so nothing else is judged.
    expect(await send({ body: '{"EventGroupId":4,"CallbackMsTs":1}' })).toEqual({ kind: "ignored", group: 4 });
  });
});

describe("the signature is over the bytes as sent", () => {
  it("is HMAC-SHA256 as RFC 4231 defines it (test case 2), base64-encoded: that Sign passes rule 3", async () => {
    const rfc = Buffer.from("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "hex").toString("base64");
    const verdict = await send({ body: "what do ya want for nothing?", key: "Jefe", sign: rfc });
    expect(codeOf(verdict)).toBe("InvalidCallback.Body"); // past the signature: only the (non-JSON) body is refused
    expect(codeOf(await send({ body: "what do ya want for nothing?", key: "Jefe", sign: rfc.replace("W", "w") }))).toBe("InvalidCallback.Sign");
  });

  it("white space and key order JSON.stringify would change still verify; the re-serialised body's Sign does not", async () => {
    const body = '{ "EventInfo" : {"Status":0, "TaskId" : "t\\u002d1", "EventMsTs":1701937900013 },\n "EventType":701 ,"EventGroupId":7, "CallbackMsTs":1701937900012 }\n';
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(reserialised).not.toBe(body);
    expect(await send({ body })).toMatchObject({ kind: "event", task: { taskId: "t-1" } });
    expect(codeOf(await send({ body, sign: await signOf(reserialised) }))).toBe("InvalidCallback.Sign");
  });

  it("a gateway's base64 body is decoded to the bytes TRTC signed; header names arrive lower-cased by headersOf", async () => {
    const body = ' {"EventGroupId":7, "EventType":702,"CallbackMsTs":1701937900012,"EventInfo":{"EventMsTs":"1701937900900","TaskId":"e-free","Status":0}} ';
    const event = {
      httpMethod: "POST",
      headers: { "Content-Type": "application/json", SIGN: await signOf(body), SdkAppId: String(APP) },
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
    };
    const request = { headers: headersOf(event), body: rawBodyBytes(httpRequestOf("aws-rest", event)) };
    expect(request.body.equals(Buffer.from(body))).toBe(true);
    expect(verifyCallback(request, { key: KEY, allowed: undefined, now: DOC_NOW })).toMatchObject({ kind: "event", event: { type: 702, at: 1701937900900 } });
    expect(rawBodyBytes({ ...httpRequestOf("aws-rest", event), body, isBase64Encoded: false }).equals(Buffer.from(body))).toBe(true);
    expect(rawBodyBytes({ ...httpRequestOf("aws-rest", event), body: undefined }).length).toBe(0);
  });

  it("any bytes correctly signed pass rule 3, and changing one bit of the body fails it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), async (array, pick) => {
        const bytes = Buffer.from(array);
        const sign = await signOf(bytes);
        expect(codeOf(await send({ body: bytes, sign }))).not.toBe("InvalidCallback.Sign");
        const flipped = Buffer.from(bytes);
        flipped[pick % flipped.length]! ^= 1 << pick % 8;
        expect(codeOf(await send({ body: flipped, sign }))).toBe("InvalidCallback.Sign");
      }),
      { numRuns: 200 },
    );
  });

  it("nothing unverified is parsed: a wrongly signed body never reaches JSON.parse", async () => {
    const parse = vi.spyOn(JSON, "parse");
    try {
      expect(codeOf(await send({ body: DOC_START, sign: await signOf(DOC_START, "another") }))).toBe("InvalidCallback.Sign");
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});

describe("refusals, each with its documented code and status", () => {
  const cases: Array<[what: string, sent: () => Promise<Sent>, code: string, status: number]> = [
    ["no key configured", async () => ({ body: DOC_START, key: undefined }), "Forbidden.Callback", 403],
    ["an empty key", async () => ({ body: DOC_START, key: "" }), "Forbidden.Callback", 403],
    ["a body over 64 KB, even rightly signed", async () => ({ body: ingestBody({ Pad: "x".repeat(MAX_BODY_BYTES) }) }), "RequestSizeLimitExceeded", 413],
    ["no Sign header", async () => ({ body: DOC_START, sign: null }), "InvalidCallback.Sign", 401],
    ["an empty Sign", async () => ({ body: DOC_START, sign: "" }), "InvalidCallback.Sign", 401],
    ["a Sign made with another key", async () => ({ body: DOC_START, sign: await signOf(DOC_START, "otherKey") }), "InvalidCallback.Sign", 401],
    ["a Sign with one character changed", async () => ({ body: DOC_START, sign: flipFirst(await signOf(DOC_START)) }), "InvalidCallback.Sign", 401],
    ["a Sign with characters base64 decoding would skip", async () => ({ body: DOC_START, sign: `${await signOf(DOC_START)}!!` }), "InvalidCallback.Sign", 401],
    ["a Sign of the body with a newline added", async () => ({ body: DOC_START, sign: await signOf(`${DOC_START}\n`) }), "InvalidCallback.Sign", 401],
    ["the Sign as hex, not base64", async () => ({ body: DOC_START, sign: Buffer.from(await signOf(DOC_START), "base64").toString("hex") }), "InvalidCallback.Sign", 401],
    ["no SdkAppId header", async () => ({ body: DOC_START, sdkAppId: null }), "InvalidCallback.SdkAppId", 400],
    ...["", "0", "-1", "+1", "1e9", " 1400000001", "1400000001 ", "4294967296", "0x10", "abc", "١٢٣"].map(
      (id): [string, () => Promise<Sent>, string, number] => [`SdkAppId header ${JSON.stringify(id)}`, async () => ({ body: DOC_START, sdkAppId: id }), "InvalidCallback.SdkAppId", 400],
    ),
    ["an SdkAppId outside the allow-list", async () => ({ body: DOC_START, allowed: new Set([1400000002]) }), "Forbidden.SdkAppId", 403],
    ["a body that is not UTF-8", async () => ({ body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), "InvalidCallback.Body", 400],
    ["a body that is not JSON", async () => ({ body: "EventGroupId=7" }), "InvalidCallback.Body", 400],
    ["an empty body", async () => ({ body: "" }), "InvalidCallback.Body", 400],
    ...["[]", "null", '"x"', "7"].map((body): [string, () => Promise<Sent>, string, number] => [`a JSON ${body} body`, async () => ({ body }), "InvalidCallback.Body", 400]),
    ["no EventGroupId", async () => ({ body: ingestBody({ EventGroupId: undefined }) }), "InvalidCallback.Body", 400],
    ["EventGroupId as a string", async () => ({ body: ingestBody({ EventGroupId: "7" }) }), "InvalidCallback.Body", 400],
    ["EventGroupId 7.5", async () => ({ body: ingestBody({ EventGroupId: 7.5 }) }), "InvalidCallback.Body", 400],
    ["no CallbackMsTs", async () => ({ body: ingestBody({ CallbackMsTs: undefined }) }), "InvalidCallback.Body", 400],
    ["CallbackMsTs not a time", async () => ({ body: ingestBody({ CallbackMsTs: "soon" }) }), "InvalidCallback.Body", 400],
    ["CallbackMsTs more than 10 minutes ago", async () => ({ body: ingestBody(), now: 1701937900012 + MAX_CALLBACK_SKEW_MS + 1 }), "InvalidCallback.Stale", 400],
    ["CallbackMsTs more than 10 minutes ahead", async () => ({ body: ingestBody(), now: 1701937900012 - MAX_CALLBACK_SKEW_MS - 1 }), "InvalidCallback.Stale", 400],
    ["no EventType", async () => ({ body: ingestBody({ EventType: undefined }) }), "InvalidCallback.Body", 400],
    ["EventType as a string", async () => ({ body: ingestBody({ EventType: "701" }) }), "InvalidCallback.Body", 400],
    ["no EventInfo", async () => ({ body: ingestBody({ EventInfo: undefined }) }), "InvalidCallback.Body", 400],
    ["EventInfo an array", async () => ({ body: ingestBody({ EventInfo: [] }) }), "InvalidCallback.Body", 400],
    ...[undefined, "", "a b", "tâche", "x".repeat(257), 42].map(
      (taskId): [string, () => Promise<Sent>, string, number] => [`TaskId ${JSON.stringify(taskId)?.slice(0, 12)}`, async () => ({ body: ingestBody({}, { TaskId: taskId }) }), "InvalidCallback.Body", 400],
    ),
    ["no Status", async () => ({ body: ingestBody({}, { Status: undefined }) }), "InvalidCallback.Body", 400],
    ["Status as a string", async () => ({ body: ingestBody({}, { Status: "0" }) }), "InvalidCallback.Body", 400],
    ...[undefined, "", "12a", -1, 1.5, "99999999999999999", 9e15, true].map(
      (at): [string, () => Promise<Sent>, string, number] => [`EventMsTs ${JSON.stringify(at)}`, async () => ({ body: ingestBody({}, { EventMsTs: at }) }), "InvalidCallback.Body", 400],
    ),
  ];

  it.each(cases)("%s", async (_what, sent, code, status) => {
    const error = refusal(await send(await sent()));
    expect(error.code).toBe(code);
    expect(describeErrorCode(error.code).status).toBe(status);
    expect(error.retryable).toBe(false);
  });

  it("the limits themselves pass: 64 KB exactly, 10 minutes exactly, 256-character TaskId, SdkAppId 4294967295 or with leading zeros", async () => {
    const padded = ingestBody({ Pad: "" });
    const exact = padded.replace('"Pad":""', `"Pad":"${"x".repeat(MAX_BODY_BYTES - Buffer.byteLength(padded))}"`);
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    expect(codeOf(await send({ body: exact }))).toBe("event");
    expect(codeOf(await send({ body: ingestBody(), now: 1701937900012 + MAX_CALLBACK_SKEW_MS }))).toBe("event");
    expect(codeOf(await send({ body: ingestBody(), now: 1701937900012 - MAX_CALLBACK_SKEW_MS }))).toBe("event");
    expect(codeOf(await send({ body: ingestBody({}, { TaskId: "~".repeat(256) }) }))).toBe("event");
    expect(await send({ body: ingestBody(), sdkAppId: "4294967295" })).toMatchObject({ task: { sdkAppId: 4294967295 } });
    expect(await send({ body: ingestBody(), sdkAppId: "01400000001", allowed: new Set([APP]) })).toMatchObject({ task: { sdkAppId: APP } });
  });

  it("several faults: the first rule in the documented order answers", async () => {
    const huge = "x".repeat(MAX_BODY_BYTES + 1);
    expect(codeOf(await send({ body: huge, key: undefined, sign: null }))).toBe("Forbidden.Callback");
    expect(codeOf(await send({ body: huge, sign: null }))).toBe("RequestSizeLimitExceeded");
    expect(codeOf(await send({ body: "not json", sign: "x", sdkAppId: "bad" }))).toBe("InvalidCallback.Sign");
    expect(codeOf(await send({ body: "not json", sdkAppId: "bad" }))).toBe("InvalidCallback.SdkAppId");
    expect(codeOf(await send({ body: "not json", allowed: new Set([1]) }))).toBe("Forbidden.SdkAppId");
    expect(codeOf(await send({ body: ingestBody({ EventType: "x" }), now: 0 }))).toBe("InvalidCallback.Stale");
  });

  it("the key appears in no message and no answer body", async () => {
    for (const [, sent] of cases) {
      const error = refusal(await send(await sent()));
      for (const text of [error.message, callbackAnswerBody(error), JSON.stringify(error.toPayload())]) {
        expect(text.toLowerCase()).not.toContain(KEY.toLowerCase().slice(0, 8));
      }
    }
  });
});

describe("callbackAnswerBody", () => {
  it('answers {"code":0} on success, and the HTTP status as a nonzero code with the error otherwise', () => {
    expect(callbackAnswerBody()).toBe('{"code":0}');
    const error = new TrtcFunctionError("InvalidCallback.Sign", "The Sign header does not match the body");
    expect(JSON.parse(callbackAnswerBody(error))).toEqual({ code: 401, error: { code: "InvalidCallback.Sign", message: "The Sign header does not match the body" } });
    const unavailable = new TrtcFunctionError("UpstreamRecordUnavailable", "The record could not be taken in time");
    expect(JSON.parse(callbackAnswerBody(unavailable)).code).toBe(503);
    expect(unavailable.retryable).toBe(true);
  });
});

function flipFirst(sign: string): string {
  return (sign[0] === "A" ? "B" : "A") + sign.slice(1);
}

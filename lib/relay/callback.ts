/**
 * One TRTC stream-ingest callback, verified (CONTRACT.md "Callbacks: the relay's story"; TRTC's callback page
 * trtc.io/document/62717, signature page trtc.io/document/54912). Pure: no I/O, the clock is passed in. The rules,
 * in this order (the first fault found is the answer):
 *
 *   1. a callback key is configured                                Forbidden.Callback          403
 *   2. the body is at most 64 KB                                   RequestSizeLimitExceeded    413
 *   3. Sign = base64(HMAC-SHA256(key, body as received))           InvalidCallback.Sign        401
 *   4. the SdkAppId header: a valid SdkAppId, then allow-listed    InvalidCallback.SdkAppId 400, Forbidden.SdkAppId 403
 *   5. the body is a UTF-8 JSON object with an integer EventGroupId            InvalidCallback.Body 400
 *   6. EventGroupId other than 7: ignored (answered 200, not recorded)
 *   7. CallbackMsTs: epoch ms, then within 10 minutes of the clock  InvalidCallback.Body, InvalidCallback.Stale 400
 *   8. EventType, EventInfo.TaskId, EventInfo.Status, EventInfo.EventMsTs      InvalidCallback.Body 400
 *
 * The signature is checked before anything is parsed: nothing unverified reaches the JSON parser, and an unsigned
 * caller learns nothing about the allow-list. The group is read before CallbackMsTs because TRTC's room and media
 * callbacks (groups 1 and 2, trtc.io/document/39558) carry `CallbackTs` instead: sent to the same URL, they must get
 * 200 (ignored), not a 400 that TRTC would retry for a minute. TRTC signs the body only, so the SdkAppId header is
 * not covered by the signature: a body signed with this key could be replayed under another allowed SdkAppId, within
 * the 10 minutes the stale rule leaves. The key never appears in any message.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { TrtcFunctionError, describeErrorCode } from "../errors";
import { MAX_BODY_BYTES, isObject } from "../events";
import { isValidSdkAppId, isValidTaskId, normaliseSdkAppId } from "../params";
import { isEpochMs } from "./record";
import type { RelayEvent } from "./types";

export interface CallbackRequest {
  /** Header names lower-cased (lib/events.ts headersOf does it). */
  headers: Record<string, string>;
  /** The raw bytes as TRTC sent them (a gateway's base64 body decoded: lib/events.ts rawBodyBytes). */
  body: Buffer;
}

export interface CallbackOptions {
  /** TRTC_CALLBACK_KEY; undefined or "" refuses every callback. */
  key: string | undefined;
  /** TRTC_ALLOWED_SDK_APP_IDS; undefined allows any. */
  allowed: ReadonlySet<number> | undefined;
  /** The function's clock, epoch ms. */
  now: number;
}

export type CallbackVerdict =
  /** A stream-ingest event (group 7), to record. */
  | { kind: "event"; task: { sdkAppId: number; taskId: string }; event: RelayEvent }
  /** Another event group: answered 200, not recorded. */
  | { kind: "ignored"; group: number }
  /** Answered with the status of the error's catalogue entry. */
  | { kind: "refused"; error: TrtcFunctionError };

/** TRTC's event group of stream-ingest events (EVENT_GROUP_STREAM_INGEST, trtc.io/document/62717). */
export const STREAM_INGEST_GROUP = 7;
/** A callback sent further than this from the function's clock is stale (either way: a clock may run ahead). */
export const MAX_CALLBACK_SKEW_MS = 10 * 60_000;

type Json = Record<string, unknown>;
type Refusal = Extract<CallbackVerdict, { kind: "refused" }>;

const refuse = (code: string, message: string): Refusal => ({ kind: "refused", error: new TrtcFunctionError(code, message) });
const badBody = (message: string): Refusal => refuse("InvalidCallback.Body", message);

/** Judges one callback request: the event to record, a group to ignore, or the refusal (rules in the header). */
export function verifyCallback(request: CallbackRequest, options: CallbackOptions): CallbackVerdict {
  const { key, allowed, now } = options;
  if (!key) return refuse("Forbidden.Callback", "No callback key is configured (TRTC_CALLBACK_KEY), so no callback is accepted");
  if (request.body.length > MAX_BODY_BYTES) {
    return refuse("RequestSizeLimitExceeded", `The callback body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const sign = headerOf(request.headers, "sign");
  if (sign === undefined) return refuse("InvalidCallback.Sign", "The Sign header is missing");
  if (!signatureMatches(key, request.body, sign)) return refuse("InvalidCallback.Sign", "The Sign header does not match the body");
  const sdkAppId = sdkAppIdOf(headerOf(request.headers, "sdkappid"));
  if (sdkAppId === undefined) {
    return refuse("InvalidCallback.SdkAppId", "The SdkAppId header must be a positive integer no larger than 4294967295");
  }
  if (allowed !== undefined && !allowed.has(sdkAppId)) {
    return refuse("Forbidden.SdkAppId", `This deployment may not take callbacks for SdkAppId ${sdkAppId}`);
  }
  const body = jsonObjectOf(request.body);
  if (typeof body === "string") return badBody(body);
  const group = body.EventGroupId;
  if (!isInteger(group)) return badBody("EventGroupId must be an integer");
  if (group !== STREAM_INGEST_GROUP) return { kind: "ignored", group };
  return streamIngestEvent(body, sdkAppId, now);
}

/**
 * The answer's body. TRTC reads only the HTTP status and suggests `{"code":0}` (trtc.io/document/62717); a refusal
 * says why, with the HTTP status as its nonzero code.
 */
export function callbackAnswerBody(error?: TrtcFunctionError): string {
  if (!error) return '{"code":0}';
  return JSON.stringify({ code: describeErrorCode(error.code).status, error: { code: error.code, message: error.message } });
}

const headerOf = (headers: Record<string, string>, name: string): string | undefined =>
  Object.hasOwn(headers, name) ? headers[name] : undefined;

/**
 * base64(HMAC-SHA256(key, body)) against the Sign header, in constant time over the base64 text (the length of a
 * right Sign is public: 44 characters). The text is compared, not decoded bytes: Node's base64 decoder skips
 * characters it does not know, so decoding would accept a Sign with bytes added.
 */
function signatureMatches(key: string, body: Buffer, sign: string): boolean {
  const expected = Buffer.from(createHmac("sha256", key).update(body).digest("base64"), "utf8");
  const given = Buffer.from(sign, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The SdkAppId header: decimal digits naming a valid SdkAppId (the query parameter's rule, lib/params.ts). */
function sdkAppIdOf(header: string | undefined): number | undefined {
  const id = typeof header === "string" ? normaliseSdkAppId(header) : undefined;
  return isValidSdkAppId(id) ? id : undefined;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The body as a JSON object, or what is wrong with it. */
function jsonObjectOf(body: Buffer): Json | string {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return "The callback body is not UTF-8";
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "The callback body is not JSON";
  }
  return isObject(value) ? value : "The callback body is not a JSON object";
}

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);

/** Epoch ms as TRTC writes it: a number, or a string of digits (EventMsTs is documented as a String, sent as a Number). */
function epochMsOf(value: unknown): number | undefined {
  const ms = typeof value === "string" && /^[0-9]{1,16}$/.test(value) ? Number(value) : value;
  return isEpochMs(ms) ? ms : undefined;
}

/** Rules 7 and 8: a group-7 body's timestamps and event. Unknown event types and statuses are still events. */
function streamIngestEvent(body: Json, sdkAppId: number, now: number): CallbackVerdict {
  const sentAt = epochMsOf(body.CallbackMsTs);
  if (sentAt === undefined) return badBody("CallbackMsTs must be epoch milliseconds");
  if (Math.abs(now - sentAt) > MAX_CALLBACK_SKEW_MS) {
    const seconds = Math.round((now - sentAt) / 1000);
    return refuse("InvalidCallback.Stale", `CallbackMsTs is ${seconds} s from the function's clock; more than ${MAX_CALLBACK_SKEW_MS / 1000} s is stale`);
  }
  const type = body.EventType;
  if (!isInteger(type)) return badBody("EventType must be an integer");
  const info = body.EventInfo;
  if (!isObject(info)) return badBody("EventInfo must be a JSON object");
  const taskId = info.TaskId;
  if (!isValidTaskId(taskId)) return badBody("EventInfo.TaskId must be 1 to 256 visible ASCII characters");
  const status = info.Status;
  if (!isInteger(status)) return badBody("EventInfo.Status must be an integer");
  const at = epochMsOf(info.EventMsTs);
  if (at === undefined) return badBody("EventInfo.EventMsTs must be epoch milliseconds (a number or a string of digits)");
  return { kind: "event", task: { sdkAppId, taskId: taskId as string }, event: { type, status, at } };
}

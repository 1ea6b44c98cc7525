/**
 * The event builder: one stream-ingest event as the bytes and headers TRTC sends (trtc.io/document/62717,
 * "Format of Event Callback Messages" and "Calculating a Signature"; trtc.io/document/54912).
 */
import { createHmac } from "node:crypto";
import { EVENT_GROUP_STREAM_INGEST } from "./types";

/** What happened to a task; the body adds when each attempt is sent. */
export interface StreamIngestEvent {
  sdkAppId: number;
  taskId: string;
  eventType: number;
  status: number;
  /** When it happened (ms): EventInfo.EventMsTs. */
  eventMsTs: number;
}

export interface BodyFormat {
  bodyStyle: "compact" | "tabbed";
  eventMsTsAs: "number" | "string";
}

/**
 * The body, fields in the pages' order: EventGroupId, EventType, CallbackMsTs, EventInfo {EventMsTs, TaskId, Status}.
 * Stream-ingest events carry no RoomId and no CallbackTs (those belong to the room and media groups).
 */
export function callbackBody(event: StreamIngestEvent, callbackMsTs: number, format: BodyFormat): string {
  const body = {
    EventGroupId: EVENT_GROUP_STREAM_INGEST,
    EventType: event.eventType,
    CallbackMsTs: callbackMsTs,
    EventInfo: {
      EventMsTs: format.eventMsTsAs === "string" ? String(event.eventMsTs) : event.eventMsTs,
      TaskId: event.taskId,
      Status: event.status,
    },
  };
  return format.bodyStyle === "tabbed" ? tabbedJson(body, 0) : JSON.stringify(body);
}

/**
 * cJSON's printed form, which the signature page's verified example shows ("{\n\t\"EventGroupId\":\t1,\n…}"):
 * a new line and tabs before each member, a tab after each colon. Written by hand because no JSON library prints it
 * and the body is two flat levels of strings and numbers.
 */
function tabbedJson(value: unknown, depth: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const indent = "\t".repeat(depth + 1);
  const members = Object.entries(value).map(([name, member]) => `${indent}${JSON.stringify(name)}:\t${tabbedJson(member, depth + 1)}`);
  return `{\n${members.join(",\n")}\n${"\t".repeat(depth)}}`;
}

/** Sign = base64(hmacsha256(key, body)) over the body's bytes exactly as sent (trtc.io/document/54912). */
export function signBody(key: string, body: string): string {
  return createHmac("sha256", key).update(body, "utf8").digest("base64");
}

/** The headers the page lists: Content-Type, Sign, SdkAppId (Content-Length is added by node:http). */
export function callbackHeaders(event: StreamIngestEvent, key: string, body: string): Record<string, string> {
  return { "Content-Type": "application/json", Sign: signBody(key, body), SdkAppId: String(event.sdkAppId) };
}

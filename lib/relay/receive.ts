/**
 * Receiving one TRTC stream-ingest callback: verified (callback.ts), then recorded in the task's record, in this
 * container's memory or in the fleet's Redis. TRTC waits 5 s for an answer and delivers again for a minute after
 * anything but 200, so a record the store could not take in time is answered 503 (UpstreamRecordUnavailable):
 * the event comes back, and an accepted event is never lost.
 */
import { TrtcFunctionError } from "../errors";
import type { CallbackRequest } from "../input";
import type { CallbackOutcome } from "../outcome";
import { verifyCallback } from "./callback";
import type { RecordStore } from "./types";

export interface ReceiveDeps {
  /** The callback key (TRTC_CALLBACK_KEY or the secret's CallbackKey); undefined refuses every callback. */
  key: string | undefined;
  allowed: ReadonlySet<number> | undefined;
  records: RecordStore;
  retentionMs: number;
  /** The fleet's region: the task's keys name it, although a record is per (SdkAppId, TaskId). */
  region: string;
  now: number;
  /** How long the record's write may take, ms (lib/deadline.ts recordWriteMs). */
  writeWithinMs: number;
}

const unavailable = () =>
  new TrtcFunctionError("UpstreamRecordUnavailable", "The callback could not be recorded in time; TRTC delivers it again");

export async function receiveCallback(request: CallbackRequest, deps: ReceiveDeps): Promise<CallbackOutcome> {
  const verdict = verifyCallback(request, { key: deps.key, allowed: deps.allowed, now: deps.now });
  if (verdict.kind === "refused") return { ok: false, error: verdict.error };
  if (verdict.kind === "ignored") return { ok: true, recorded: "ignored" };
  const { task, event } = verdict;
  const identity = { sdkAppId: task.sdkAppId, taskId: task.taskId };
  const ref = { ...identity, region: deps.region };
  const recorded = await deps.records.recordEvent(ref, event, deps.retentionMs, deps.writeWithinMs);
  if (recorded === undefined) return { ok: false, error: unavailable(), ...identity };
  return { ok: true, recorded, ...identity, eventType: event.type, status: event.status };
}

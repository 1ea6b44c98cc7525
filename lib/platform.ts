/**
 * The platform edge for contexts: AWS Lambda and Tencent SCF hand the function different context objects.
 * Everything else in the function sees one {@link Invocation}.
 */
import { randomUUID } from "node:crypto";
import { Deadline, systemClock, type Clock } from "./deadline";

export type Platform = "aws" | "scf" | "local";

/** A time limit for invocations whose context says nothing about time (a local call, a test). */
export const DEFAULT_TIME_LIMIT_MS = 30_000;

export interface Invocation {
  platform: Platform;
  /** The platform's request id (AWS awsRequestId, SCF request_id), or a fresh UUID locally. */
  requestId: string;
  /** Epoch ms (on the deadline's clock) when the invocation was seen. */
  startedAt: number;
  /** The invocation's one clock: when it must have answered (the platform's limit minus a margin), and every cut of it. */
  deadline: Deadline;
}

/** What either platform's context may carry (AWS: awsRequestId; SCF: request_id, time_limit_in_ms), read defensively. */
interface AnyContext {
  awsRequestId?: unknown;
  request_id?: unknown;
  time_limit_in_ms?: unknown;
  getRemainingTimeInMillis?: unknown;
}

function remainingTime(context: AnyContext): number {
  if (typeof context.getRemainingTimeInMillis === "function") {
    const remaining = Number(context.getRemainingTimeInMillis());
    if (Number.isFinite(remaining) && remaining > 0) return remaining;
  }
  // SCF's Node.js runtime has getRemainingTimeInMillis too; contexts without it (hand-made, older runtimes) still
  // carry the configured limit, and the init and queueing before us are small against it.
  const limit = Number(context.time_limit_in_ms);
  if (Number.isFinite(limit) && limit > 0) return limit;
  return DEFAULT_TIME_LIMIT_MS;
}

/** The invocation as the function sees it; `clock` is injectable for tests. */
export function invocationFromContext(context: unknown, clock: Clock = systemClock): Invocation {
  const ctx: AnyContext = typeof context === "object" && context !== null ? (context as AnyContext) : {};
  const remaining = remainingTime(ctx);
  let platform: Platform = "local";
  let requestId: string | undefined;
  if (typeof ctx.awsRequestId === "string" && ctx.awsRequestId) {
    platform = "aws";
    requestId = ctx.awsRequestId;
  } else if (typeof ctx.request_id === "string" && ctx.request_id) {
    platform = "scf";
    requestId = ctx.request_id;
  }
  const startedAt = clock.now();
  return { platform, requestId: requestId ?? randomUUID(), startedAt, deadline: Deadline.fromRemaining(remaining, clock, startedAt) };
}

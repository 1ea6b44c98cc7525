/**
 * What went wrong with Redis, as a kind and never as a message: a client's message may quote the URL, the user or
 * the host, and the log line must not.
 */
import type { StoreFault } from "../store";

/** An answer that is not what the script returns: the server is not the Redis we think it is. */
export class InvalidAnswer extends Error {}

/** A command not sent because its caller gave up while the first connection was being made. */
export class NotSent extends Error {}

/** A command that cannot have run: not sent by us, or refused by ioredis before sending (no connection, no queue). */
export const notSent = (error: unknown) => error instanceof NotSent || /enableOfflineQueue/.test(error instanceof Error ? error.message : "");

export function faultKind(error: unknown): StoreFault {
  if (error instanceof InvalidAnswer) return "invalid-answer";
  const message = error instanceof Error ? error.message : "";
  const code = String((error as { code?: unknown } | undefined)?.code ?? "");
  if (/timed? ?out/i.test(message)) return "timeout";
  if (/NOAUTH|WRONGPASS|NOPERM|auth/i.test(message)) return "auth";
  // An untrusted or mismatched certificate, or TLS against a server that does not speak it.
  if (/CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|EPROTO/.test(code) || /certificate|SSL routines/i.test(message)) return "tls";
  if (/writeable|ECONNREFUSED|ECONNRESET|EPIPE|closed|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN|isn't ready|refresh slots/i.test(message)) return "unreachable";
  return "error";
}

/** The sender: one POST of one callback, bounded by the answer time-out, on a connection of its own. */
import http from "node:http";
import https from "node:https";

export interface AttemptOutcome {
  httpStatus?: number;
  /** "timeout", "cancelled" (the emulator closed), or the socket error's code. */
  error?: string;
}

/**
 * Sends `body` and waits for the whole answer (its body is read and dropped: TRTC ignores it). No keep-alive agent:
 * every attempt opens and closes its own connection, so nothing outlives it.
 */
export function postOnce(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, closing: AbortSignal): Promise<AttemptOutcome> {
  if (closing.aborted) return Promise.resolve({ error: "cancelled" });
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      closing.removeEventListener("abort", onClose);
      request.destroy();
      resolve(outcome);
    };
    const onClose = () => finish({ error: "cancelled" });
    const request = client.request(url, { method: "POST", headers, agent: false }, (response) => {
      response.on("data", () => {}); // drained, not kept
      response.once("end", () => finish({ httpStatus: response.statusCode }));
      response.once("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? "ERESPONSE" }));
    });
    const timer = setTimeout(() => finish({ error: "timeout" }), timeoutMs);
    closing.addEventListener("abort", onClose, { once: true });
    request.once("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    request.end(body);
  });
}

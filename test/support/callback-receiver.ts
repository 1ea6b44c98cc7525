/**
 * A real HTTP server that receives TRTC-style callbacks for tests: it keeps each request's raw bytes and headers,
 * verifies `Sign` by itself with node:crypto (base64(HMAC-SHA256(key, raw body)), trtc.io/document/54912), and
 * answers as told (a status, late, never, or with a TCP reset).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ReceivedCallback {
  /** When the request's body had arrived (ms). */
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** The body parsed as JSON (undefined if it is not JSON). */
  body: any;
  /** `Sign` equals base64(HMAC-SHA256(key, raw)). */
  signValid: boolean;
}

/** An HTTP status (with an optional body and delay), or no answer at all, or a TCP reset. */
export type ReceiverAnswer = { status?: number; body?: string; delayMs?: number } | "hang" | "reset";

export interface CallbackReceiver {
  url: string;
  port: number;
  received: ReceivedCallback[];
  /** How to answer a request (index = its place in arrival order); default 200 {"code":0}. */
  respond: (callback: ReceivedCallback, index: number) => ReceiverAnswer;
  /** Runs before a request is answered (e.g. asks the emulator something while TRTC waits). */
  onRequest?: (callback: ReceivedCallback) => Promise<void>;
  /** Resolves with the first `count` callbacks once they have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

export function verifySign(key: string, raw: Buffer, sign: unknown): boolean {
  if (typeof sign !== "string") return false;
  const expected = createHmac("sha256", key).update(raw).digest();
  const given = Buffer.from(sign, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
}

export async function startCallbackReceiver(key: string): Promise<CallbackReceiver> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters: (() => void)[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const callback: ReceivedCallback = {
      at: Date.now(),
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      raw,
      body: parse(raw),
      signValid: verifySign(key, raw, req.headers.sign),
    };
    const index = receiver.received.push(callback) - 1;
    waiters.splice(0).forEach((wake) => wake());
    await receiver.onRequest?.(callback);
    answer(res, receiver.respond(callback, index));
  }

  function answer(res: ServerResponse, how: ReceiverAnswer): void {
    if (how === "hang") return;
    if (how === "reset") return void res.socket?.resetAndDestroy();
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(how.status ?? 200, { "Content-Type": "application/json" });
      res.end(how.body ?? '{"code":0}');
    };
    if (!how.delayMs) return send();
    const timer = setTimeout(() => (timers.delete(timer), send()), how.delayMs);
    timers.add(timer);
  }

  const server = http.createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const receiver: CallbackReceiver = {
    url: `http://127.0.0.1:${port}/stream-ingest/callback`,
    port,
    received: [],
    respond: () => ({ status: 200 }),
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} callbacks, received ${receiver.received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
      return receiver.received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  return receiver;
}

/**
 * The SDK's HTTP transport, owned by the function. tencentcloud-sdk-nodejs sends every request through
 * `fetch(url, {method, headers, body, agent, signal, timeout})` of node-fetch 2 (common/http/fetch.js); the build
 * aliases `node-fetch` to this module (build/build.ts), so the real SDK still builds, signs and parses each request,
 * and this module alone decides how long an attempt may take and how much it may read.
 *
 * Why not node-fetch: it times the headers and the body separately (one attempt could take twice its bound), starts
 * no timer while a request waits for a socket on a full agent, leaves the socket open when it gives up on a body,
 * reads bodies of any size (and inflates gzip without a limit), follows redirects (re-sending X-TC-Token), and puts
 * header values into its error messages. Here one timer bounds the whole exchange — queued on the agent, connecting,
 * headers, body — and whatever ends the attempt destroys its request, response and decompressor and clears the timer.
 *
 * What the SDK reads of a response (abstract_client.js parseResponse): `status`, `statusText`, `headers.get()`, and
 * `json()` (or `body` for text/event-stream). The whole body is read here, within the cap, before the SDK sees it,
 * so `json()` is the parsed envelope and nothing is left open behind the returned object.
 */
import http from "node:http";
import https from "node:https";
import { constants as zlibConstants, createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Transform } from "node:stream";
import { TrtcFunctionError } from "../errors";

/** Upstream answers larger than this after decompression are refused: TRTC's envelope for this action is < 1 KB. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Sizes of the envelope's fields that are passed on into an answer or a log line. */
const FIELD_LIMITS = { Status: 64, RequestId: 128, Code: 128, Message: 1024 } as const;

/**
 * Passed as the request's `signal` (the SDK hands `options.signal` through untouched): the attempt's deadline, and
 * the classified failure, which the SDK would otherwise flatten into a message.
 */
export class AttemptBudget {
  failure: TrtcFunctionError | undefined;
  constructor(readonly deadline: number) {}
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string | number | undefined>;
  body?: string | Buffer;
  agent?: http.Agent;
  signal?: unknown;
  /** node-fetch's per-request time-out in ms (the SDK's reqTimeout); used when no AttemptBudget is given. */
  timeout?: number;
}

/** What the SDK reads of a response. */
export interface BufferedResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** Network error codes that may be named in an answer: they say what failed, and carry nothing of the request. */
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);

const timeoutError = (ms: number) => new TrtcFunctionError("UpstreamTimeout", `TRTC did not answer within ${ms} ms`);
const invalid = (why: string) => new TrtcFunctionError("UpstreamInvalidResponse", `TRTC answered with ${why}`);

function networkError(error: unknown): TrtcFunctionError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = typeof code === "string" && NETWORK_CODES.has(code) ? code : "the connection closed early";
  return new TrtcFunctionError("UpstreamNetworkError", `The connection to TRTC failed (${reason})`);
}

/** The envelope's fields this function passes on must be strings of a bounded size (or absent). */
function checkEnvelope(data: unknown): TrtcFunctionError | undefined {
  const response = (data as { Response?: unknown } | null)?.Response;
  if (typeof response !== "object" || response === null || Array.isArray(response)) return invalid("a body that is not its JSON envelope");
  const r = response as Record<string, unknown>;
  const error = r.Error as Record<string, unknown> | undefined;
  const fields: Array<[keyof typeof FIELD_LIMITS, unknown]> = [["Status", r.Status], ["RequestId", r.RequestId]];
  if (error !== undefined) {
    if (typeof error !== "object" || error === null) return invalid("an Error that is not an object");
    fields.push(["Code", error.Code], ["Message", error.Message]);
  }
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    if (typeof value !== "string" || value.length > FIELD_LIMITS[name]) return invalid(`a ${name} that is not a string of at most ${FIELD_LIMITS[name]} characters`);
  }
  return undefined;
}

function decompressor(encoding: string | undefined): Transform | undefined | null {
  const name = (encoding ?? "identity").trim().toLowerCase();
  if (name === "identity" || name === "") return undefined;
  // Sync flush, as node-fetch does: servers often end gzip streams without the final block.
  const flush = { flush: zlibConstants.Z_SYNC_FLUSH, finishFlush: zlibConstants.Z_SYNC_FLUSH };
  if (name === "gzip" || name === "x-gzip") return createGunzip(flush);
  if (name === "deflate") return createInflate(flush);
  if (name === "br") return createBrotliDecompress();
  return null; // an encoding we did not ask for
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? "");
}

/** node-fetch-compatible entry point (the SDK calls `fetch(url, init)` and reads the result as described above). */
export default function boundedFetch(url: string, init: FetchInit = {}): Promise<BufferedResponse> {
  const budget = init.signal instanceof AttemptBudget ? init.signal : new AttemptBudget(Date.now() + (init.timeout || 60_000));
  const boundMs = Math.max(1, budget.deadline - Date.now());

  return new Promise<BufferedResponse>((resolve, reject) => {
    let request: http.ClientRequest | undefined;
    let response: http.IncomingMessage | undefined;
    let inflater: Transform | undefined;
    let settled = false;

    const finish = (failure: TrtcFunctionError | undefined, value?: BufferedResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failure) {
        // Nothing of a failed attempt may stay open: the socket is destroyed, not returned to the pool.
        inflater?.destroy();
        response?.destroy();
        request?.destroy();
        budget.failure = failure;
        reject(failure);
      } else resolve(value!);
    };
    // One timer for the whole exchange, armed before the request may wait for a socket.
    const timer = setTimeout(() => finish(timeoutError(boundMs)), boundMs);

    const target = new URL(url);
    const headers: Record<string, string | number> = { Accept: "application/json", "Accept-Encoding": "gzip, deflate" };
    for (const [name, value] of Object.entries(init.headers ?? {})) if (value !== undefined) headers[name] = value;
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(String(init.body));
    if (body) headers["Content-Length"] = body.length;

    try {
      request = (target.protocol === "https:" ? https : http).request({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port || undefined,
        path: target.pathname + target.search,
        method: init.method ?? "GET",
        headers,
        agent: init.agent,
      });
    } catch {
      // Node names the header, but an error here must not carry any value of the request (a key, a token).
      return finish(new TrtcFunctionError("InvalidConfiguration.Credentials", "A credential holds a character that cannot be sent in an HTTP header"));
    }
    request.on("error", (error) => finish(networkError(error)));
    request.once("response", (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const contentType = res.headers["content-type"];
      if (status >= 300 && status < 400) return finish(new TrtcFunctionError("UpstreamHttpError", `TRTC answered HTTP ${status} (redirects are not followed)`, { retryable: true }));
      if (!isJson(contentType)) {
        if (status !== 200) return finish(httpError(status));
        return finish(invalid(`content type ${contentType ? JSON.stringify(contentType.slice(0, 64)) : "none"} instead of JSON`));
      }
      const inflate = decompressor(res.headers["content-encoding"]);
      if (inflate === null) return finish(invalid("a content encoding it was not asked for"));
      inflater = inflate;
      const declared = Number(res.headers["content-length"]);
      if (!inflate && declared > MAX_RESPONSE_BYTES) return finish(invalid(`a body over ${MAX_RESPONSE_BYTES} bytes`));

      const chunks: Buffer[] = [];
      let size = 0;
      const source = inflate ? res.pipe(inflate) : res;
      // A connection that closes before the body is complete is a network fault, seen at once.
      res.once("aborted", () => finish(networkError(undefined)));
      res.on("error", (error) => finish(networkError(error)));
      res.once("close", () => {
        if (!res.complete) finish(networkError(undefined));
      });
      inflate?.on("error", () => finish(invalid("a body that does not decompress")));
      source.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) return finish(invalid(`a body over ${MAX_RESPONSE_BYTES} bytes`));
        chunks.push(chunk);
      });
      source.once("end", () => {
        if (settled) return;
        let data: unknown;
        try {
          data = JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
        } catch {
          return finish(invalid("a body that is not JSON"));
        }
        const envelopeFault = checkEnvelope(data);
        if (envelopeFault) return finish(status === 200 ? envelopeFault : httpError(status));
        if (status !== 200) {
          // A gateway that answers 4xx/5xx with TRTC's own error envelope: keep TRTC's code and RequestId.
          const r = (data as { Response: { Error?: { Code?: unknown; Message?: unknown }; RequestId?: unknown } }).Response;
          if (typeof r.Error?.Code === "string" && r.Error.Code) {
            return finish(
              new TrtcFunctionError(r.Error.Code, typeof r.Error.Message === "string" ? r.Error.Message : `TRTC answered HTTP ${status}`, {
                requestId: typeof r.RequestId === "string" ? r.RequestId : undefined,
              }),
            );
          }
          return finish(httpError(status));
        }
        finish(undefined, {
          status,
          statusText: res.statusMessage ?? "",
          headers: { get: (name: string) => headerValue(res, name) },
          json: async () => data,
        });
      });
    });
    request.end(body);
  });
}

/**
 * An HTTP error without TRTC's envelope. TRTC answers its API errors as HTTP 200 with Response.Error, so a 5xx, 408
 * or 429 page (or another status TRTC does not use) is its gateway failing for now (UpstreamHttpError, retryable, as
 * the error table says), while any other 4xx comes from what TRTC_ENDPOINT_URL / TRTC_ENDPOINT point at (a proxy, a private link, a WAF): no retry helps,
 * and the code says so rather than a retryable code marked not retryable, which workflows retrying by name would retry.
 */
function httpError(status: number): TrtcFunctionError {
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new TrtcFunctionError("InvalidConfiguration.Endpoint", `The endpoint answered HTTP ${status}, not TRTC's API; check TRTC_ENDPOINT_URL and TRTC_ENDPOINT`);
  }
  return new TrtcFunctionError("UpstreamHttpError", `TRTC answered HTTP ${status}`);
}

function headerValue(res: http.IncomingMessage, name: string): string | null {
  const value = res.headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

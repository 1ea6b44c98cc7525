/**
 * The SDK's HTTP transport, owned by the function. tencentcloud-sdk-nodejs sends every request through
 * `fetch(url, {method, headers, body, agent, signal, timeout})` of node-fetch 2 (common/http/fetch.js); the build
 * aliases `node-fetch` to lib/transport/sdk-fetch.ts, which calls this module, so the real SDK still builds, signs and
 * parses each request, and this module alone bounds each exchange and decides how much it may read.
 *
 * Why not node-fetch: it times the headers and the body separately (one attempt could take twice its bound), starts
 * no timer while a request waits for a socket on a full agent, leaves the socket open when it gives up on a body,
 * reads bodies of any size (and inflates gzip without a limit), follows redirects (re-sending X-TC-Token), and puts
 * header values into its error messages. Here the whole exchange — queued on the agent, connecting, headers, body — is
 * bounded, as node-fetch promises, by its `timeout` (the SDK's reqTimeout) and, when given, its `signal` (an attempt
 * cut shorter by the invocation's deadline, lib/deadline.ts), whichever ends first; and whatever ends the attempt
 * destroys its request, response and decompressor, clears the timer and drops the abort listener. A failed exchange
 * rejects with its classified {@link TrtcFunctionError}.
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

/** The bound of a request given neither a signal nor a time-out: the SDK's own reqTimeout default. */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface FetchInit {
  method?: string;
  headers?: Record<string, string | number | undefined>;
  body?: string | Buffer;
  agent?: http.Agent;
  /** Ends the exchange when aborted (an attempt's bound shorter than `timeout`). */
  signal?: AbortSignal | null;
  /** node-fetch's per-request time-out in ms (the SDK's reqTimeout); 0 or absent: DEFAULT_TIMEOUT_MS. */
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

const timeoutError = (ms: number | undefined) =>
  new TrtcFunctionError("UpstreamTimeout", ms === undefined ? "TRTC did not answer in time" : `TRTC did not answer within ${ms} ms`);
const invalid = (why: string) => new TrtcFunctionError("UpstreamInvalidResponse", `TRTC answered with ${why}`);

/** An aborted signal ends the attempt as a time-out: the bound it carries (lib/deadline.ts TimeoutReason) if any. */
function abortError(signal: AbortSignal): TrtcFunctionError {
  const ms = (signal.reason as { ms?: unknown } | undefined)?.ms;
  return timeoutError(typeof ms === "number" ? ms : undefined);
}

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

/**
 * One exchange's bounds and the parts that must not outlive it. `finish` settles it once: on failure it destroys the
 * request, response and decompressor (the socket is not returned to the pool); either way it clears the timer and
 * drops the abort listener.
 */
class Exchange {
  request: http.ClientRequest | undefined;
  response: http.IncomingMessage | undefined;
  inflater: Transform | undefined;
  settled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.finish(abortError(this.signal!));

  constructor(
    private readonly signal: AbortSignal | undefined,
    timeoutMs: number,
    private readonly settle: (failure: TrtcFunctionError | undefined, value?: BufferedResponse) => void,
  ) {
    // Both bounds armed before the request may wait for a socket.
    this.timer = setTimeout(() => this.finish(timeoutError(timeoutMs)), timeoutMs);
    if (signal?.aborted) this.finish(abortError(signal));
    else signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  finish(failure: TrtcFunctionError | undefined, value?: BufferedResponse): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this.onAbort);
    if (failure) {
      this.inflater?.destroy();
      this.response?.destroy();
      this.request?.destroy();
    }
    this.settle(failure, value);
  }
}

/** node-fetch-compatible entry point (the SDK calls `fetch(url, init)` and reads the result as described above). */
export default function boundedFetch(url: string, init: FetchInit = {}): Promise<BufferedResponse> {
  const signal = init.signal instanceof AbortSignal ? init.signal : undefined;
  const timeoutMs = init.timeout && init.timeout > 0 ? init.timeout : DEFAULT_TIMEOUT_MS;
  return new Promise<BufferedResponse>((resolve, reject) => {
    const x = new Exchange(signal, timeoutMs, (failure, value) => (failure ? reject(failure) : resolve(value!)));
    if (x.settled) return;
    const target = new URL(url);
    const headers: Record<string, string | number> = { Accept: "application/json", "Accept-Encoding": "gzip, deflate" };
    for (const [name, value] of Object.entries(init.headers ?? {})) if (value !== undefined) headers[name] = value;
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(String(init.body));
    if (body) headers["Content-Length"] = body.length;
    try {
      x.request = (target.protocol === "https:" ? https : http).request({
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
      return x.finish(new TrtcFunctionError("InvalidConfiguration.Credentials", "A credential holds a character that cannot be sent in an HTTP header"));
    }
    x.request.on("error", (error) => x.finish(networkError(error)));
    x.request.once("response", (res) => readResponse(x, res));
    x.request.end(body);
  });
}

/** Reads a response within the size cap, then hands the parsed body to {@link answerOf}. */
function readResponse(x: Exchange, res: http.IncomingMessage): void {
  x.response = res;
  const status = res.statusCode ?? 0;
  const contentType = res.headers["content-type"];
  if (status >= 300 && status < 400) return x.finish(new TrtcFunctionError("UpstreamHttpError", `TRTC answered HTTP ${status} (redirects are not followed)`));
  if (!isJson(contentType)) {
    if (status !== 200) return x.finish(httpError(status));
    return x.finish(invalid(`content type ${contentType ? JSON.stringify(contentType.slice(0, 64)) : "none"} instead of JSON`));
  }
  const inflate = decompressor(res.headers["content-encoding"]);
  if (inflate === null) return x.finish(invalid("a content encoding it was not asked for"));
  x.inflater = inflate;
  const declared = Number(res.headers["content-length"]);
  if (!inflate && declared > MAX_RESPONSE_BYTES) return x.finish(invalid(`a body over ${MAX_RESPONSE_BYTES} bytes`));

  const chunks: Buffer[] = [];
  let size = 0;
  const source = inflate ? res.pipe(inflate) : res;
  // A connection that closes before the body is complete is a network fault, seen at once.
  res.once("aborted", () => x.finish(networkError(undefined)));
  res.on("error", (error) => x.finish(networkError(error)));
  res.once("close", () => {
    if (!res.complete) x.finish(networkError(undefined));
  });
  inflate?.on("error", () => x.finish(invalid("a body that does not decompress")));
  source.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) return x.finish(invalid(`a body over ${MAX_RESPONSE_BYTES} bytes`));
    chunks.push(chunk);
  });
  source.once("end", () => {
    if (x.settled) return;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.concat(chunks, size).toString("utf8"));
    } catch {
      return x.finish(invalid("a body that is not JSON"));
    }
    const answer = answerOf(status, data, res);
    if (answer instanceof TrtcFunctionError) x.finish(answer);
    else x.finish(undefined, answer);
  });
}

/** A complete JSON body: the response the SDK reads, or the failure it stands for. */
function answerOf(status: number, data: unknown, res: http.IncomingMessage): BufferedResponse | TrtcFunctionError {
  const envelopeFault = checkEnvelope(data);
  if (envelopeFault) return status === 200 ? envelopeFault : httpError(status);
  if (status !== 200) {
    // A gateway that answers 4xx/5xx with TRTC's own error envelope: keep TRTC's code and RequestId.
    const r = (data as { Response: { Error?: { Code?: unknown; Message?: unknown }; RequestId?: unknown } }).Response;
    if (typeof r.Error?.Code === "string" && r.Error.Code) {
      return new TrtcFunctionError(r.Error.Code, typeof r.Error.Message === "string" ? r.Error.Message : `TRTC answered HTTP ${status}`, {
        requestId: typeof r.RequestId === "string" ? r.RequestId : undefined,
      });
    }
    return httpError(status);
  }
  return { status, statusText: res.statusMessage ?? "", headers: { get: (name: string) => headerValue(res, name) }, json: async () => data };
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

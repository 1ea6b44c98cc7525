/**
 * Test helpers: the official SDK pointed at the emulator exactly as the function points it (signed for the real host,
 * physically connected to 127.0.0.1), a hand-written TC3 signer independent of the emulator's verifier, and raw HTTP.
 */
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { Client } from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_client";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, type RunningEmulator } from "../../emulator";

export const REAL_HOST = "trtc.tencentcloudapi.com";
export const DEMO_APP = 1400000001;
export const DEMO_TASK = "demo-task-in-progress";

/** A keep-alive agent whose connections all go to the emulator, whatever host the URL names. */
export function redirectingAgent(port: number): http.Agent {
  const agent = new http.Agent({ keepAlive: true });
  const redirect = (options: net.NetConnectOpts & object, callback?: () => void) =>
    net.createConnection({ ...(options as net.TcpNetConnectOpts), host: "127.0.0.1", port }, callback);
  (agent as unknown as { createConnection: typeof redirect }).createConnection = redirect;
  return agent;
}

export interface SdkClientOptions {
  secretId?: string;
  secretKey?: string;
  token?: string;
  region?: string;
  reqMethod?: "POST" | "GET";
  reqTimeoutSeconds?: number;
  agent?: http.Agent;
}

export function sdkClient(emulator: RunningEmulator, o: SdkClientOptions = {}): Client {
  return new Client({
    credential: { secretId: o.secretId ?? DEMO_SECRET_ID, secretKey: o.secretKey ?? DEMO_SECRET_KEY, token: o.token },
    region: o.region ?? "ap-singapore",
    profile: {
      httpProfile: {
        protocol: "http://",
        reqMethod: o.reqMethod ?? "POST",
        reqTimeout: o.reqTimeoutSeconds ?? 10,
        agent: o.agent ?? redirectingAgent(emulator.port),
      },
    },
  });
}

/** The SDK's error for a call expected to fail. */
export async function sdkError(call: Promise<unknown>): Promise<{ code?: string; message: string; requestId?: string; httpCode?: number }> {
  try {
    await call;
  } catch (error) {
    return error as { code?: string; message: string; requestId?: string; httpCode?: number };
  }
  throw new Error("expected the call to fail");
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** One request on a fresh connection; rejects with the socket error (ECONNRESET, timeout, ...). */
export function rawRequest(emulator: RunningEmulator, r: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: emulator.port, method: r.method ?? "POST", path: r.path ?? "/", headers: r.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    if (r.timeoutMs) req.setTimeout(r.timeoutMs, () => req.destroy(Object.assign(new Error("client timeout"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(r.body);
  });
}

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

export interface HandSigned {
  secretId?: string;
  secretKey?: string;
  token?: string;
  action?: string;
  version?: string;
  /** null = no X-TC-Region header. */
  region?: string | null;
  service?: string;
  timestamp?: number;
  /** Credential-scope date; default the UTC date of the timestamp. */
  scopeDate?: string;
  method?: "POST" | "GET";
  /** Sent as the body (POST). */
  body?: string;
  /** Signed as the body, if different from what is sent. */
  signedBody?: string;
  query?: string;
  /** Sent as the query, if different from what is signed. */
  sentQuery?: string;
  contentType?: string;
  /** The Host header sent. */
  host?: string;
  /** The host value signed; default the Host header without a port. */
  signedHost?: string;
  /** Extra headers to sign too (lower-case names), as the TC3 docs' example signs x-tc-action. */
  alsoSign?: Record<string, string>;
  /** Headers sent but not signed (e.g. a tampered X-TC-Action). */
  extraHeaders?: Record<string, string>;
  authorization?: string | null;
}

/** A TC3-HMAC-SHA256 request written from the API 3.0 documentation, not from the emulator's code. */
export function handSign(h: HandSigned = {}): RawRequest {
  const method = h.method ?? "POST";
  const body = method === "POST" ? (h.body ?? JSON.stringify({ SdkAppId: DEMO_APP, TaskId: DEMO_TASK })) : "";
  const contentType = h.contentType ?? (method === "POST" ? "application/json" : "application/x-www-form-urlencoded");
  const host = h.host ?? REAL_HOST;
  const timestamp = h.timestamp ?? Math.floor(Date.now() / 1000);
  const date = h.scopeDate ?? new Date(timestamp * 1000).toISOString().slice(0, 10);
  const service = h.service ?? "trtc";
  const query = h.query ?? "";

  const signed: Record<string, string> = {
    "content-type": contentType,
    host: h.signedHost ?? host.replace(/:\d+$/, ""),
    ...h.alsoSign,
  };
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((n) => `${n}:${signed[n].trim().toLowerCase()}\n`).join("");
  const canonicalRequest = [method, "/", query, canonicalHeaders, names.join(";"), sha256(h.signedBody ?? body)].join("\n");
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ["TC3-HMAC-SHA256", timestamp, scope, sha256(canonicalRequest)].join("\n");
  const kSigning = hmac(hmac(hmac(`TC3${h.secretKey ?? DEMO_SECRET_KEY}`, date), service), "tc3_request");
  const signature = hmac(kSigning, stringToSign).toString("hex");

  const headers: Record<string, string> = {
    Host: host,
    "Content-Type": contentType,
    "X-TC-Action": h.action ?? "DescribeStreamIngest",
    "X-TC-Version": h.version ?? "2019-07-22",
    "X-TC-Timestamp": String(timestamp),
    ...h.extraHeaders,
  };
  if (h.region !== null) headers["X-TC-Region"] = h.region ?? "ap-singapore";
  if (h.token !== undefined) headers["X-TC-Token"] = h.token;
  const authorization =
    h.authorization === undefined
      ? `TC3-HMAC-SHA256 Credential=${h.secretId ?? DEMO_SECRET_ID}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`
      : h.authorization;
  if (authorization !== null) headers.Authorization = authorization;
  const sentQuery = h.sentQuery ?? query;
  return { method, path: sentQuery ? `/?${sentQuery}` : "/", headers, body };
}

/** The {"Response": ...} of a raw answer, checking the envelope on the way. */
export function envelope(res: RawResponse): { Error?: { Code: string; Message: string }; RequestId: string; [k: string]: unknown } {
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body}`);
  if (!String(res.headers["content-type"]).startsWith("application/json")) throw new Error(`content-type ${res.headers["content-type"]}`);
  return JSON.parse(res.body).Response;
}

export async function errorCode(emulator: RunningEmulator, h: HandSigned): Promise<string | undefined> {
  return envelope(await rawRequest(emulator, handSign(h))).Error?.Code;
}

export { sleep } from "../support/leaks";

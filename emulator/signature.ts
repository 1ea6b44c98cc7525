/**
 * TC3-HMAC-SHA256 verification, step by step as Tencent Cloud API 3.0 documents it
 * (and as tencentcloud-sdk-nodejs/tencentcloud/common/sign.js computes it).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

export interface ParsedAuthorization {
  secretId: string;
  /** Credential scope: <date>/<service>/tc3_request. */
  date: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

/** The parts of an HTTP request that the signature covers. */
export interface SignedRequest {
  method: string;
  path: string;
  /** The raw query string, without "?". */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/\s,]+)\/([^/\s,]+)\/([^/\s,]+)\/([^/\s,]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const match = header?.trim().match(AUTHORIZATION);
  if (!match) return undefined;
  const [, secretId, date, service, terminator, signedHeaders, signature] = match;
  return { secretId, date, service, terminator, signedHeaders: signedHeaders.split(";"), signature };
}

/** The UTC calendar date of a Unix timestamp, as the credential scope names it. */
export function utcDate(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

/**
 * Header values go in lower-cased and trimmed (the documented TC3 rule). The `host` value is the Host header
 * without a `:port` suffix unless `keepPort`: the Node SDK signs the URL's hostname, while the Python SDK and tccli
 * sign the Host header as sent (`127.0.0.1:PORT` against an emulator); the real API is on the default port.
 */
function canonicalHeaderValue(name: string, headers: IncomingHttpHeaders, keepPort: boolean): string {
  const raw = headers[name];
  let value = (Array.isArray(raw) ? raw.join(",") : (raw ?? "")).trim().toLowerCase();
  if (name === "host" && !keepPort) value = value.replace(/:\d+$/, "");
  return value;
}

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/**
 * The payload hash the canonical request ends with. The Python, Go and Java SDKs have an `unsignedPayload` profile
 * option: they send `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and hash that literal instead of the body.
 */
function hashedPayload(request: SignedRequest): string {
  const declared = request.headers["x-tc-content-sha256"];
  return (Array.isArray(declared) ? declared[0] : declared)?.trim() === UNSIGNED_PAYLOAD ? sha256Hex(UNSIGNED_PAYLOAD) : sha256Hex(request.body);
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[], keepPort = false): string {
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(name, request.headers, keepPort)}\n`).join("");
  return [
    request.method,
    request.path,
    request.query,
    canonicalHeaders,
    signedHeaders.join(";"),
    hashedPayload(request),
  ].join("\n");
}

export function expectedSignature(
  secretKey: string,
  timestamp: number,
  auth: Pick<ParsedAuthorization, "date" | "service">,
  canonical: string,
): string {
  const scope = `${auth.date}/${auth.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(timestamp), scope, sha256Hex(canonical)].join("\n");
  const kDate = hmac(`TC3${secretKey}`, auth.date);
  const kService = hmac(kDate, auth.service);
  const kSigning = hmac(kService, "tc3_request");
  return hmac(kSigning, stringToSign).toString("hex");
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(expectedHex: string, givenHex: string): boolean {
  const expected = Buffer.from(expectedHex, "hex");
  const given = Buffer.from(givenHex, "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** The gateway's first stage: who is calling, and did they sign exactly this request? */
import { apiErrors } from "./api-error";
import { CredentialStore } from "./credentials";
import {
  canonicalRequest,
  expectedSignature,
  parseAuthorization,
  signaturesMatch,
  utcDate,
  type SignedRequest,
} from "./signature";
import type { EmulatorCredential } from "./types";

const SERVICE = "trtc";
/** The real API accepts requests signed up to five minutes off its clock. */
const MAX_CLOCK_SKEW_SECONDS = 300;

export interface Caller {
  credential: EmulatorCredential;
  account: string;
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Throws the ApiError the real gateway would answer with; returns the caller otherwise. */
export function authenticate(request: SignedRequest, credentials: CredentialStore, nowMs = Date.now()): Caller {
  const authorization = header(request, "authorization");
  const auth = parseAuthorization(authorization);
  if (!auth) {
    // Signature v1 (HmacSHA1 / HmacSHA256) puts Signature and SignatureMethod among the parameters and sends no
    // Authorization header. The emulator does not verify it; it answers as the real API does a v1 request it refuses.
    if (authorization === undefined && isLegacySigned(request)) throw apiErrors.legacySignature();
    throw apiErrors.invalidAuthorization(authorization === undefined ? "The header is missing." : "It is not a TC3-HMAC-SHA256 Authorization.");
  }

  const rawTimestamp = header(request, "x-tc-timestamp")?.trim();
  if (!rawTimestamp || !/^\d{1,12}$/.test(rawTimestamp)) {
    throw apiErrors.signatureFailure("X-TC-Timestamp is missing or not a Unix timestamp in seconds.");
  }
  const timestamp = Number(rawTimestamp);
  const now = Math.floor(nowMs / 1000);
  if (Math.abs(now - timestamp) > MAX_CLOCK_SKEW_SECONDS) throw apiErrors.signatureExpire(timestamp, now);

  const credential = credentials.find(auth.secretId);
  if (!credential) throw apiErrors.secretIdNotFound();

  if (auth.service !== SERVICE) throw apiErrors.signatureFailure(`The credential scope names service \`${auth.service}\`, not \`${SERVICE}\`.`);
  if (auth.date !== utcDate(timestamp)) throw apiErrors.signatureFailure("The credential scope date is not the UTC date of X-TC-Timestamp.");
  if (auth.terminator !== "tc3_request") throw apiErrors.signatureFailure("The credential scope must end with tc3_request.");
  if (!auth.signedHeaders.includes("content-type") || !auth.signedHeaders.includes("host")) {
    throw apiErrors.signatureFailure("SignedHeaders must include content-type and host.");
  }

  // The Node SDK signs the host name alone; the Python SDK and tccli sign the Host header as sent, with its port.
  // Either is accepted: the port-less form first, then the header exactly as it came.
  const matches = (keepPort: boolean) =>
    signaturesMatch(expectedSignature(credential.secretKey, timestamp, auth, canonicalRequest(request, auth.signedHeaders, keepPort)), auth.signature);
  if (!matches(false) && !(hasPort(header(request, "host")) && matches(true))) {
    throw apiErrors.signatureFailure("Please check your signature is correct.");
  }

  // Temporary credentials only work with their own, unexpired session token; permanent keys take none.
  const token = header(request, "x-tc-token");
  if (credential.expired) throw apiErrors.tokenFailure("The token has expired.");
  if ((credential.token ?? "") !== (token ?? "")) {
    throw apiErrors.tokenFailure(token ? "The token does not belong to this SecretId." : "The request is missing X-TC-Token.");
  }

  return { credential, account: CredentialStore.accountOf(credential) };
}

function hasPort(host: string | undefined): boolean {
  return host !== undefined && /:\d+$/.test(host.trim());
}

/** A v1 signature: `Signature` and `SignatureMethod=HmacSHA1|HmacSHA256` in the query or a form body. */
function isLegacySigned(request: SignedRequest): boolean {
  const form = /x-www-form-urlencoded/i.test(header(request, "content-type") ?? "") ? request.body.toString("latin1") : "";
  const params = new URLSearchParams(`${request.query}&${form}`);
  return params.has("Signature") && /^Hmac(SHA1|SHA256)$/.test(params.get("SignatureMethod") ?? "");
}

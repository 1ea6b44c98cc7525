import type { Deadline } from "./deadline";
import { TrtcFunctionError } from "./errors";

export interface Credentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

type Env = Record<string, string | undefined>;

/**
 * Tencent's SecretIds, SecretKeys and session tokens are visible ASCII. Anything else — CR/LF, a control character,
 * white space inside, a typographic quote from a copy-paste — cannot be sent (the SecretId and token travel in
 * headers) or was not meant: refused at the first invocation, before any request, naming the variable only.
 */
const SENDABLE = /^[\x21-\x7e]+$/;

function unsendable(name: string): string {
  return `${name} holds a character that cannot be sent in an HTTP header (a control character such as CR/LF, white space, or a non-ASCII character such as a typographic quote); set it again from its source`;
}

/** The names Tencent's SDKs and CLI use, then the ones SCF injects for a function's role. */
const SOURCES = [
  { id: "TENCENTCLOUD_SECRET_ID", key: "TENCENTCLOUD_SECRET_KEY", token: "TENCENTCLOUD_SESSION_TOKEN" },
  { id: "TENCENTCLOUD_SECRETID", key: "TENCENTCLOUD_SECRETKEY", token: "TENCENTCLOUD_SESSIONTOKEN" },
] as const;

/**
 * Reads credentials from the environment. Explicit keys win over role-injected ones, so an operator can override a
 * role. Throws `InvalidConfiguration.Credentials` naming the variables to set; never echoes a value.
 */
export function credentialsFromEnv(env: Env = process.env): Credentials {
  for (const source of SOURCES) {
    const secretId = env[source.id]?.trim();
    const secretKey = env[source.key]?.trim();
    if (!secretId && !secretKey) continue;
    if (!secretId || !secretKey) {
      const missing = secretId ? source.key : source.id;
      throw new TrtcFunctionError("InvalidConfiguration.Credentials", `${missing} is not set (${source.id} and ${source.key} go together)`);
    }
    const token = env[source.token]?.trim();
    for (const [name, value] of [[source.id, secretId], [source.key, secretKey], [source.token, token]] as const) {
      if (value && !SENDABLE.test(value)) throw new TrtcFunctionError("InvalidConfiguration.Credentials", unsendable(name));
    }
    return token ? { secretId, secretKey, token } : { secretId, secretKey };
  }
  throw new TrtcFunctionError(
    "InvalidConfiguration.Credentials",
    "No TRTC credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN for temporary keys), " +
      "or give the SCF function a role so that SCF injects TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY / TENCENTCLOUD_SESSIONTOKEN",
  );
}

export type CredentialReader = () => Credentials;

/**
 * The SDK's DynamicCredential: asked for keys on every request. The keys are read once per invocation
 * ({@link refresh}), not on each of the four places that need them (handler, client, signer, log redaction):
 * reading the environment is a syscall-backed lookup per variable. Keys that rotate while the container lives (SCF's
 * role keys, a Secrets Manager secret) are picked up by the next invocation without a cold start, and an expired
 * token (AuthFailure.TokenFailure) makes the client refresh before its one retry. The source is replaceable: with
 * a Secrets Manager secret configured, the keys come from it (lib/transport/secrets-manager.ts), read with a TTL
 * inside each invocation's deadline by {@link prepare}.
 */
export class CredentialSource {
  private reader: CredentialReader;
  private cached: Credentials | undefined;
  private preparer: ((deadline: Deadline) => Promise<void>) | undefined;

  constructor(reader: CredentialReader = () => credentialsFromEnv()) {
    this.reader = reader;
  }

  use(reader: CredentialReader, prepare?: (deadline: Deadline) => Promise<void>): void {
    this.reader = reader;
    this.preparer = prepare;
    this.cached = undefined;
  }

  /** Makes the keys ready for an invocation, within its deadline (a no-op for environment keys). */
  async prepare(deadline: Deadline): Promise<void> {
    await this.preparer?.(deadline);
  }

  /** Reads the keys anew; throws InvalidConfiguration.Credentials when there are none. */
  refresh(): Credentials {
    this.cached = undefined;
    this.cached = this.reader();
    return this.cached;
  }

  /** The keys read by the last refresh (reading them now if none were). */
  current(): Credentials {
    return this.cached ?? this.refresh();
  }

  /** Called by the SDK for each request. */
  async getCredential(): Promise<Credentials> {
    return this.current();
  }

  /** Secret values to scrub from any text that leaves the function (defence in depth). */
  secretValues(): string[] {
    try {
      const { secretKey, token } = this.current();
      return token ? [secretKey, token] : [secretKey];
    } catch {
      return [];
    }
  }
}

/**
 * The TRTC key pair kept in an AWS Secrets Manager secret: a JSON object `{"SecretId": "…", "SecretKey": "…"}`.
 * Throws `InvalidConfiguration.Secret` naming the field that is wrong; never echoes a value.
 */
export function credentialsFromSecret(value: unknown): Credentials {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TrtcFunctionError("InvalidConfiguration.Secret", 'The secret must be a JSON object {"SecretId": "…", "SecretKey": "…"}');
  }
  const { SecretId, SecretKey } = value as Record<string, unknown>;
  for (const [name, field] of [["SecretId", SecretId], ["SecretKey", SecretKey]] as const) {
    if (typeof field !== "string" || field.trim() === "") {
      throw new TrtcFunctionError("InvalidConfiguration.Secret", `The secret's "${name}" must be a non-empty string`);
    }
    if (!SENDABLE.test(field.trim())) throw new TrtcFunctionError("InvalidConfiguration.Secret", unsendable(`The secret's "${name}"`));
  }
  return { secretId: (SecretId as string).trim(), secretKey: (SecretKey as string).trim() };
}

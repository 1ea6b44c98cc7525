/**
 * The TRTC key pair read from an AWS Secrets Manager secret with one direct `GetSecretValue`, kept for a TTL.
 *
 * Written against the AWS SDK client directly rather than through @middy/secrets-manager: middy refreshes its cache
 * on a background timer that nobody awaits (a failed refresh there is an unhandled rejection, which ends a Lambda
 * container) and knows nothing of the invocation's deadline. Here the secret is read when an invocation finds the
 * keys older than the TTL, inside that invocation's time: the fetch is aborted (its socket destroyed by the AWS SDK)
 * at the bound the invocation's deadline gives a read (lib/deadline.ts secretReadMs: a first read, or a refresh with
 * keys in hand), and concurrent invocations share one fetch, each waiting no longer than its own bound.
 *
 * Failures: a refused secret (not found, access denied, malformed value) is `InvalidConfiguration.Secret`; Secrets
 * Manager failing, throttling, unreachable or hanging is `UpstreamSecretsError` (retryable) — unless keys were read
 * before, which are then kept, and the next invocation tries again. Messages and log lines name the AWS error, never
 * the secret's name or ARN (an account id) nor anything of its value.
 *
 * The AWS SDK is not in the bundle; Lambda's Node.js runtimes provide it.
 */
import { CALLBACK_KEY } from "../config";
import { credentialsFromSecret, type Credentials } from "../credentials";
import type { Deadline } from "../deadline";
import { TrtcFunctionError } from "../errors";
import type { Logger } from "../logger";

export const SECRET_ID_ENV = "TRTC_CREDENTIALS_SECRET_ID";

/** Error names that mean the secret or the permission is wrong, not that Secrets Manager is having a bad moment. */
const PERMANENT = new Set([
  "ResourceNotFoundException",
  "AccessDeniedException",
  "DecryptionFailure",
  "InvalidParameterException",
  "InvalidRequestException",
  "UnrecognizedClientException",
  "ValidationException",
]);

export interface SecretsClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<{ SecretString?: string }>;
}

export interface SecretKeysOptions {
  secretId: string;
  /** How long keys read from the secret are used before it is read again, ms. */
  ttlMs: number;
  logger: Logger;
  /** The AWS SDK client and command; default: @aws-sdk/client-secrets-manager from the runtime. */
  client?: () => { client: SecretsClient; command: (secretId: string) => unknown };
  /** The container's clock, for the TTL (each read's bound comes from the invocation's deadline). */
  now?: () => number;
}

/** Classifies what GetSecretValue threw. */
export function secretError(error: unknown, timedOut = false): TrtcFunctionError {
  const name = String((error as { name?: unknown } | undefined)?.name ?? "Error").replace(/[^A-Za-z0-9.]/g, "").slice(0, 64) || "Error";
  if (timedOut) return new TrtcFunctionError("UpstreamSecretsError", "Secrets Manager did not answer before the invocation's deadline", { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const permanent = PERMANENT.has(name) || (status !== undefined && status >= 400 && status < 500 && status !== 429 && !/Throttl/i.test(name));
  return permanent
    ? new TrtcFunctionError("InvalidConfiguration.Secret", `Secrets Manager refused the secret ${SECRET_ID_ENV} names (${name})`, { cause: error })
    : new TrtcFunctionError("UpstreamSecretsError", `Secrets Manager failed or could not be reached (${name})`, { cause: error });
}

/** An ARN names its region; a plain name is looked up in the function's own region (AWS_REGION). */
function regionOf(secretId: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
}

function runtimeClient(secretId: string): { client: SecretsClient; command: (secretId: string) => unknown } {
  // require, not import(): Lambda finds its own AWS SDK through NODE_PATH, which only require honours.
  const sdk = require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
  const region = regionOf(secretId);
  return {
    client: new sdk.SecretsManagerClient(region ? { region } : {}) as unknown as SecretsClient,
    command: (id) => new sdk.GetSecretValueCommand({ SecretId: id }),
  };
}

export class SecretKeys {
  private keys: Credentials | undefined;
  private callback: string | undefined;
  private readAt = -Infinity;
  private inflight: Promise<Credentials> | undefined;
  private sdk: ReturnType<typeof runtimeClient> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SecretKeysOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The secret's "CallbackKey" as read last (the key TRTC signs stream-ingest callbacks with); undefined when it has none. */
  callbackKey(): string | undefined {
    return this.callback;
  }

  /** The keys read last; throws when none were. */
  current(): Credentials {
    if (!this.keys) throw new TrtcFunctionError("InvalidConfiguration.Credentials", `The secret ${SECRET_ID_ENV} names has not been read yet`);
    return this.keys;
  }

  /** Reads the secret if the keys are older than the TTL, within the bound `deadline` gives a read. */
  async prepare(deadline: Deadline): Promise<void> {
    if (this.keys && this.now() - this.readAt < this.options.ttlMs) return;
    const boundMs = deadline.secretReadMs(this.keys !== undefined);
    this.inflight ??= this.fetch(deadline, boundMs).finally(() => (this.inflight = undefined));
    try {
      // A fetch shared with another invocation ends at that one's bound: this caller waits no longer than its own.
      if ((await deadline.race(this.inflight, boundMs)) === undefined) throw secretError(undefined, true);
    } catch (error) {
      const failure = error instanceof TrtcFunctionError ? error : secretError(error);
      const awsError = (failure.cause as { name?: unknown } | undefined)?.name;
      if (this.keys && failure.code === "UpstreamSecretsError") {
        // A Secrets Manager blip during a refresh should not stop a working function: keep the last keys read.
        this.options.logger.log("warn", "Could not refresh the TRTC credentials secret; using the keys read before", { code: failure.code, awsError });
        return;
      }
      this.options.logger.log("error", "Could not read the TRTC credentials secret", { code: failure.code, awsError });
      throw failure;
    }
  }

  private async fetch(deadline: Deadline, boundMs: number): Promise<Credentials> {
    try {
      this.sdk ??= (this.options.client ?? (() => runtimeClient(this.options.secretId)))();
    } catch (error) {
      throw new TrtcFunctionError("InvalidConfiguration.Secret", `${SECRET_ID_ENV} is set but the AWS SDK for Secrets Manager is not available (AWS Lambda's Node.js runtimes provide it)`, { cause: error });
    }
    const { client, command } = this.sdk;
    let aborted = () => false;
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await deadline.withSignal(boundMs, (signal) => {
        aborted = () => signal.aborted;
        return client.send(command(this.options.secretId), { abortSignal: signal });
      }));
    } catch (error) {
      throw secretError(error, aborted());
    }
    let value: unknown;
    try {
      value = JSON.parse(secretString ?? "");
    } catch {
      throw new TrtcFunctionError("InvalidConfiguration.Secret", 'The secret must be a JSON object {"SecretId": "…", "SecretKey": "…"}');
    }
    this.keys = credentialsFromSecret(value);
    this.callback = callbackKeyFromSecret(value);
    this.readAt = this.now();
    return this.keys;
  }
}

/** The secret's optional "CallbackKey": 1-32 letters and digits, as TRTC's console takes it. Never echoed. */
export function callbackKeyFromSecret(value: unknown): string | undefined {
  const key = (value as Record<string, unknown>).CallbackKey;
  if (key === undefined || key === null || key === "") return undefined;
  if (typeof key !== "string" || !CALLBACK_KEY.test(key.trim())) {
    throw new TrtcFunctionError("InvalidConfiguration.Secret", 'The secret\'s "CallbackKey" must be 1-32 letters and digits, as set in the TRTC console');
  }
  return key.trim();
}

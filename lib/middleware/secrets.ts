/**
 * Production credentials on AWS: the TRTC key pair read from an AWS Secrets Manager secret through middy's own
 * secrets-manager middleware. Fetched once per container, kept for TRTC_CREDENTIALS_SECRET_TTL_SECONDS (default
 * 300), then fetched again, so a rotated secret is used without a cold start.
 *
 * A refresh that fails for a passing reason (network, throttling, 5xx) keeps the keys read before and tries again on
 * the next invocation; a refused secret (not found, access denied, malformed) fails the invocation.
 *
 * Off unless TRTC_CREDENTIALS_SECRET_ID is set: the middleware and the AWS SDK are then never loaded, so SCF and
 * plain-environment deployments pay nothing for it. The AWS SDK is not in the bundle; Lambda's Node.js runtimes
 * provide it.
 */
import { clearCache, getInternal } from "@middy/util";
import { integerSetting } from "../config";
import { credentialsFromSecret, type CredentialSource, type Credentials } from "../credentials";
import { TrtcFunctionError } from "../errors";
import type { Logger } from "../logger";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export const SECRET_ID_ENV = "TRTC_CREDENTIALS_SECRET_ID";
export const SECRET_TTL_ENV = "TRTC_CREDENTIALS_SECRET_TTL_SECONDS";
export const DEFAULT_SECRET_TTL_SECONDS = 300;
const MAX_TTL_SECONDS = 86_400;
const CACHE_KEY = "trtc-credentials-secret";
const INTERNAL_KEY = "trtcCredentialsSecret";

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

/** A failed fetch, kept as a value (see settledClient). */
class FetchFailure {
  constructor(readonly error: unknown) {}
}

type Env = Record<string, string | undefined>;
type SendClient = { send(command: unknown): Promise<unknown> };

/**
 * middy refreshes its cache on a timer when the TTL runs out, with nobody awaiting the new fetch; a rejected fetch
 * there would be an unhandled rejection, which ends a Lambda container. So a fetch settles to a value that carries
 * the failure, and `before` turns it into an error where someone is listening.
 */
function settledClient(Base: new (options: object) => SendClient) {
  return class SettledClient {
    private readonly client: SendClient;
    constructor(options: object) {
      this.client = new Base(options);
    }
    send(command: unknown): Promise<unknown> {
      return this.client.send(command).catch((error: unknown) => ({ SecretString: new FetchFailure(error) }));
    }
  };
}

export function secretError(error: unknown): TrtcFunctionError {
  const name = String((error as { name?: unknown } | undefined)?.name ?? "Error").slice(0, 64);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const permanent = PERMANENT.has(name) || (status !== undefined && status >= 400 && status < 500 && status !== 429 && !/Throttl/i.test(name));
  // The message names the AWS error, never the secret's ARN (account id) nor anything of its value.
  return permanent
    ? new TrtcFunctionError("InvalidConfiguration.Secret", `Secrets Manager refused the secret ${SECRET_ID_ENV} names (${name})`, { cause: error })
    : new TrtcFunctionError("UpstreamSecretsError", `Secrets Manager failed or could not be reached (${name})`, { cause: error });
}

/** An ARN names its region; a plain name is looked up in the function's own region (AWS_REGION). */
function regionOf(secretId: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
}

export interface SecretCredentialsOptions {
  credentials: CredentialSource;
  logger: Logger;
  env?: Env;
}

/** The middleware, or none (an empty list, as middy wants) when no secret is configured. */
export function secretCredentials({ credentials, logger, env = process.env }: SecretCredentialsOptions): FunctionMiddleware | FunctionMiddleware[] {
  const secretId = env[SECRET_ID_ENV]?.trim();
  if (!secretId) return [];

  let setupError: TrtcFunctionError | undefined;
  let cacheExpiry = DEFAULT_SECRET_TTL_SECONDS * 1000;
  try {
    cacheExpiry = integerSetting(env, SECRET_TTL_ENV, DEFAULT_SECRET_TTL_SECONDS, 0, MAX_TTL_SECONDS) * 1000;
  } catch (error) {
    setupError = error as TrtcFunctionError;
  }

  let current: Credentials | undefined;
  credentials.use(() => {
    if (!current) throw new TrtcFunctionError("InvalidConfiguration.Credentials", `The secret ${SECRET_ID_ENV} names has not been read yet`);
    return current;
  });

  let middleware: Promise<FunctionMiddleware> | undefined;
  const load = async (): Promise<FunctionMiddleware> => {
    const { default: secretsManager } = await import("@middy/secrets-manager");
    // require, not import(): Lambda finds its own AWS SDK through NODE_PATH, which only require honours.
    const { SecretsManagerClient } = require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
    const region = regionOf(secretId);
    return secretsManager({
      AwsClient: settledClient(SecretsManagerClient as unknown as new (options: object) => SendClient) as never,
      awsClientOptions: region ? { region } : {},
      fetchData: { [INTERNAL_KEY]: secretId },
      cacheKey: CACHE_KEY,
      cacheExpiry,
    }) as unknown as FunctionMiddleware;
  };

  const fail = (error: TrtcFunctionError, awsError?: string): never => {
    clearCache([CACHE_KEY]); // the next invocation fetches again, so a fixed secret or permission takes effect at once
    logger.log("error", "Could not read the TRTC credentials secret", { code: error.code, awsError, secretId });
    throw error;
  };

  return {
    before: async (request: FunctionRequest) => {
      if (setupError) throw setupError;
      let inner: FunctionMiddleware;
      try {
        inner = await (middleware ??= load());
      } catch (error) {
        middleware = undefined;
        return fail(new TrtcFunctionError("InvalidConfiguration.Secret", `${SECRET_ID_ENV} is set but the AWS SDK for Secrets Manager is not available (AWS Lambda's Node.js runtimes provide it)`, { cause: error }));
      }
      await inner.before!(request);
      const { [INTERNAL_KEY]: value } = await getInternal([INTERNAL_KEY], request);
      if (value instanceof FetchFailure) {
        const error = secretError(value.error);
        const awsError = String((value.error as { name?: unknown })?.name ?? "Error");
        if (current && error.code === "UpstreamSecretsError") {
          // A Secrets Manager blip during a refresh should not stop a working function: keep the last keys read.
          clearCache([CACHE_KEY]);
          logger.log("warn", "Could not refresh the TRTC credentials secret; using the keys read before", { awsError, secretId });
          return;
        }
        return fail(error, awsError);
      }
      try {
        current = credentialsFromSecret(value);
      } catch (error) {
        return fail(error as TrtcFunctionError);
      }
    },
  };
}

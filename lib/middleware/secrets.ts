/**
 * Production credentials on AWS: when TRTC_CREDENTIALS_SECRET_ID is set, the credential source reads the TRTC key
 * pair from that AWS Secrets Manager secret (lib/transport/secrets-manager.ts: a direct GetSecretValue, cached for
 * TRTC_CREDENTIALS_SECRET_TTL_SECONDS, default 300, bounded by the invocation's deadline). This step only makes the
 * keys ready before the handler runs. Off (no step, nothing loaded) unless the variable is set, so SCF and
 * plain-environment deployments pay nothing for it.
 */
import { integerSetting } from "../config";
import type { CredentialSource } from "../credentials";
import type { Logger } from "../logger";
import { SECRET_ID_ENV, SecretKeys } from "../transport/secrets-manager";
import type { FunctionMiddleware } from "./types";

export const SECRET_TTL_ENV = "TRTC_CREDENTIALS_SECRET_TTL_SECONDS";
export const DEFAULT_SECRET_TTL_SECONDS = 300;
const MAX_TTL_SECONDS = 86_400;

export interface SecretCredentialsOptions {
  credentials: CredentialSource;
  logger: Logger;
  env?: Record<string, string | undefined>;
}

/** The step, or none (an empty list, as middy wants) when no secret is configured. */
export function secretCredentials({ credentials, logger, env = process.env }: SecretCredentialsOptions): FunctionMiddleware | FunctionMiddleware[] {
  const secretId = env[SECRET_ID_ENV]?.trim();
  if (!secretId) return [];
  let ttlSeconds: number;
  try {
    ttlSeconds = integerSetting(env, SECRET_TTL_ENV, DEFAULT_SECRET_TTL_SECONDS, 0, MAX_TTL_SECONDS);
  } catch (error) {
    // Answered to every invocation (a configuration error), not thrown at load, which would crash the container.
    return { before: () => Promise.reject(error) };
  }
  const keys = new SecretKeys({ secretId, ttlMs: ttlSeconds * 1000, logger });
  credentials.use(() => keys.current(), (deadline) => keys.prepare(deadline));
  return { before: (request) => credentials.prepare(request.context.invocation.deadline) };
}

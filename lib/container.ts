/**
 * What lives as long as the container: configuration, credentials, the SDK client, the logger. Built once at
 * module load (cold start), reused by every invocation. A configuration error does not crash the container: it
 * is logged once at start-up and returned to every caller as an InvalidConfiguration.* failure.
 */
import { loadConfig, type FunctionConfig, type LogLevel } from "./config";
import { CredentialSource } from "./credentials";
import { TrtcFunctionError } from "./errors";
import { createLogger, type Logger } from "./logger";
import { createTrtcApi, type TrtcApi } from "./trtc-client";

export interface Container {
  config: FunctionConfig | undefined;
  configError: TrtcFunctionError | undefined;
  credentials: CredentialSource;
  api: TrtcApi | undefined;
  logger: Logger;
}

export interface ContainerOptions {
  env?: Record<string, string | undefined>;
  credentials?: CredentialSource;
  write?: (line: string) => void;
}

export function createContainer({ env = process.env, credentials = new CredentialSource(), write }: ContainerOptions = {}): Container {
  let config: FunctionConfig | undefined;
  let configError: TrtcFunctionError | undefined;
  try {
    config = loadConfig(env);
  } catch (error) {
    configError = error instanceof TrtcFunctionError ? error : new TrtcFunctionError("InvalidConfiguration", String(error));
  }
  const level = config?.logLevel ?? ((["debug", "info", "warn", "error"].includes(env.LOG_LEVEL ?? "") ? env.LOG_LEVEL : "info") as LogLevel);
  const logger = createLogger({ level, secrets: () => credentials.secretValues(), write });
  if (configError) {
    logger.log("error", "Configuration rejected at start-up", { code: configError.code, error: configError.message });
  }
  return { config, configError, credentials, api: config ? createTrtcApi(config, credentials) : undefined, logger };
}

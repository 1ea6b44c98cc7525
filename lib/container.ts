/**
 * What lives as long as the container: configuration, credentials, the SDK client, the logger. Built once at
 * module load (cold start), reused by every invocation. A configuration error does not crash the container: it
 * is logged once at start-up and returned to every caller as an InvalidConfiguration.* failure.
 */
import { loadConfig, type FunctionConfig, type LogLevel } from "./config";
import { CredentialSource } from "./credentials";
import { TrtcFunctionError } from "./errors";
import { Fleet } from "./fleet/fleet";
import { loadSharedStore, type SharedStore } from "./fleet/store";
import { createLogger, type Logger } from "./logger";
import { createTrtcApi, type TrtcApi } from "./trtc-client";

export interface Container {
  config: FunctionConfig | undefined;
  configError: TrtcFunctionError | undefined;
  credentials: CredentialSource;
  api: TrtcApi | undefined;
  /** Every upstream request goes through it: one rate budget, cache and single-flight (fleet-wide with Redis). */
  fleet: Fleet | undefined;
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
  return { config, configError, credentials, api: config ? createTrtcApi(config, credentials) : undefined, fleet: config && createFleet(config, logger), logger };
}

/** The fleet front door; the Redis store is loaded (a second file) and connected only when TRTC_REDIS_URL is set. */
function createFleet(config: FunctionConfig, logger: Logger): Fleet {
  let store: SharedStore | undefined;
  if (config.redis) {
    let reported = false;
    // Once per container: after that each invocation's line says redis: "fallback" while the store does not answer.
    const onFault = (kind: string) => {
      if (reported) return;
      reported = true;
      logger.log("warn", "Redis did not answer: this container uses its own rate budget and cache until it does", { redisFault: kind });
    };
    store = loadSharedStore({ ...config.redis, onFault });
  }
  return new Fleet({ perSecond: config.rateLimitPerSecond, cacheTtlMs: config.statusCacheTtlMs, region: config.region, store });
}

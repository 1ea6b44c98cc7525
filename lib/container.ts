/**
 * What lives as long as the container, built once at module load (cold start) from the one configuration value:
 * either everything an invocation needs, or the configuration's classified error, which is logged once here and
 * answered to every caller whose request passes the input rules (never thrown at load: that would crash the
 * container).
 */
import { readConfig, type FunctionConfig, type RedisSettings } from "./config";
import { CredentialSource } from "./credentials";
import type { TrtcFunctionError } from "./errors";
import { Fleet } from "./fleet/fleet";
import { loadSharedStore, type SharedStore } from "./fleet/store";
import { createLogger, type Logger } from "./logger";
import { MemoryRecords } from "./relay/memory-records";
import type { RecordStore } from "./relay/types";
import { SecretKeys } from "./transport/secrets-manager";
import { createTrtcApi, type TrtcApi } from "./trtc-client";

export interface ReadyRuntime {
  ok: true;
  config: FunctionConfig;
  credentials: CredentialSource;
  api: TrtcApi;
  /** Every upstream request goes through it: one rate budget, cache and single-flight (fleet-wide with Redis). */
  fleet: Fleet;
  /** The tasks' callback records: the fleet's Redis when configured (never this container's memory then), else memory. */
  records: RecordStore;
  /**
   * The callback key: TRTC_CALLBACK_KEY, or the CallbackKey of the secret as last read (credentials.prepare reads
   * it); undefined refuses callbacks.
   */
  callbackKey: () => string | undefined;
  logger: Logger;
}

export interface BrokenRuntime {
  ok: false;
  error: TrtcFunctionError;
  logger: Logger;
}

export type Runtime = ReadyRuntime | BrokenRuntime;

export interface RuntimeOptions {
  env?: Record<string, string | undefined>;
  write?: (line: string) => void;
}

export function createRuntime({ env = process.env, write }: RuntimeOptions = {}): Runtime {
  const reading = readConfig(env);
  const credentials = new CredentialSource();
  const logger = createLogger({ level: reading.logLevel, secrets: () => credentials.secretValues(), write });
  if (reading.ignoredLogLevel) logger.log("warn", "LOG_LEVEL is not debug, info, warn or error: info applies");
  if (!reading.ok) {
    logger.log("error", "Configuration rejected at start-up", { code: reading.error.code, error: reading.error.message });
    return { ok: false, error: reading.error, logger };
  }
  const { config } = reading;
  let callbackKey = () => config.callbacks.key;
  if (config.secret) {
    // AWS Secrets Manager: the keys come from the secret, read within each invocation's deadline when older than its TTL.
    const keys = new SecretKeys({ secretId: config.secret.secretId, ttlMs: config.secret.ttlMs, logger });
    credentials.use(() => keys.current(), (deadline) => keys.prepare(deadline));
    if (!config.callbacks.key) callbackKey = () => keys.callbackKey();
  }
  const store = config.redis ? loadStore(config.redis, logger) : undefined;
  const fleet = new Fleet({ perSecond: config.rateLimitPerSecond, cacheTtlMs: config.statusCacheTtlMs, region: config.region, store });
  const records: RecordStore = config.redis ? (store ?? UNAVAILABLE_RECORDS) : new MemoryRecords();
  return { ok: true, config, credentials, api: createTrtcApi(config, credentials), fleet, records, callbackKey, logger };
}

/** Redis is configured but its client could not be loaded: no record can be taken (503) or read. */
const UNAVAILABLE_RECORDS: RecordStore = {
  recordEvent: async () => undefined,
  readRecord: async () => undefined,
  settleRecord: async () => undefined,
};

/** The Redis store, loaded (a second file) and connected only when TRTC_REDIS_URL is set. */
function loadStore(redis: RedisSettings, logger: Logger): SharedStore | undefined {
  let reported = false;
  // Once per container: after that each invocation's line says redis: "fallback" while the store does not answer.
  const onFault = (kind: string) => {
    if (reported) return;
    reported = true;
    logger.log("warn", "Redis did not answer: this container uses its own rate budget and cache until it does", { redisFault: kind });
  };
  return loadSharedStore({ ...redis, onFault });
}

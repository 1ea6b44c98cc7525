/**
 * The configuration, read once per container from the environment into one value: complete, or a classified
 * InvalidConfiguration.* error naming the variable (never its value). The log level is read first and always has a
 * value, so that a rejected configuration can still be logged. Credentials themselves are not read here: they may
 * rotate while the container lives (credentials.ts); where they come from is.
 */
import { TrtcFunctionError } from "./errors";
import { MAX_SDK_APP_ID } from "./params";

export const DEFAULT_REGION = "ap-singapore";
export const DEFAULT_ENDPOINT = "trtc.tencentcloudapi.com";
export type LogLevel = "debug" | "info" | "warn" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * Tencent Cloud's region names: `ap-singapore`, `ap-guangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`, … A task is
 * queried in the region it was started in, and TRTC's pages disagree on which regions serve stream ingest, so any
 * name of this form is sent and TRTC answers UnsupportedRegion where the action is not served.
 */
const REGION = /^[a-z]{2}-[a-z]+(-[a-z]+)?$/;

export interface FunctionConfig {
  region: string;
  /** Host requests are signed for (the `Host` header and the TC3 service name come from it). */
  endpoint: string;
  /** Where requests physically go: protocol, host and port. */
  target: { protocol: "http:" | "https:"; hostname: string; port: number };
  /** SdkAppIds this deployment may be asked about; undefined = any. */
  allowedSdkAppIds: ReadonlySet<number> | undefined;
  logLevel: LogLevel;
  /** Upper bound for one upstream attempt, in ms. */
  attemptTimeoutMs: number;
  /** Upper bound on upstream attempts per task and invocation. */
  maxAttempts: number;
  /** Origins allowed to call the HTTP route from a browser (CORS_ALLOWED_ORIGINS); undefined = CORS off. */
  corsOrigins: readonly string[] | undefined;
  /** Whether failures of direct invocations are thrown (workflow engines' Retry/Catch) rather than returned. */
  throwOnError: boolean;
  /** Upstream request starts allowed in any rolling second: per container, or fleet-wide with Redis. */
  rateLimitPerSecond: number;
  /** How long an answered status may be reused, ms; 0 = never. */
  statusCacheTtlMs: number;
  /** The shared store (TRTC_REDIS_URL); undefined = everything per container. Never logged: it may hold a password. */
  redis: RedisSettings | undefined;
  /** Where the TRTC key pair (and maybe the callback key) comes from: the environment, or a Secrets Manager secret. */
  secret: SecretSettings | undefined;
  callbacks: CallbackSettings;
}

export interface RedisSettings {
  url: string;
  /** Bound of the connection and of each command, ms. */
  timeoutMs: number;
  /** Names the rate budget and cache keys: one per Tencent Cloud account sharing the Redis. */
  scope: string;
  /** TRTC_REDIS_CLUSTER: the URL names a node of a Redis Cluster; every key of one task lives in one slot. */
  cluster: boolean;
}

export interface SecretSettings {
  /** TRTC_CREDENTIALS_SECRET_ID: a name or ARN. Never logged (an ARN names the account). */
  secretId: string;
  /** How long keys read from the secret are used before it is read again, ms. */
  ttlMs: number;
}

export interface CallbackSettings {
  /** TRTC_CALLBACK_KEY; undefined: from the secret (`CallbackKey`) when one is configured, else callbacks are refused. */
  key: string | undefined;
  /** How long a task's record is kept after its last event, ms. */
  retentionMs: number;
}

type Env = Record<string, string | undefined>;

/** `ignoredLogLevel`: LOG_LEVEL held something else than a level (it is logged once; `info` applies). */
export type ConfigReading = { logLevel: LogLevel; ignoredLogLevel: boolean } & ({ ok: true; config: FunctionConfig } | { ok: false; error: TrtcFunctionError });

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function configError(setting: "Region" | "Endpoint" | undefined, message: string): TrtcFunctionError {
  return new TrtcFunctionError(setting ? `InvalidConfiguration.${setting}` : "InvalidConfiguration", message);
}

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** An integer setting from `min` to `max`; unset or blank gives `fallback`. Throws InvalidConfiguration. */
function integerSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(undefined, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** `true` or `false` (any case); unset or blank is false. */
function booleanSetting(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw || raw === "false") return false;
  if (raw === "true") return true;
  throw configError(undefined, `${name} must be true or false`);
}

/**
 * LOG_LEVEL, one rule: trimmed, any case. Unset, Lambda's advanced logging controls apply (AWS_LAMBDA_LOG_LEVEL:
 * TRACE/DEBUG/INFO/WARN/ERROR/FATAL). Anything else is `info`, said once at start-up: a misspelt level must not
 * stop a working function from answering.
 */
export function readLogLevel(env: Env): { level: LogLevel; valid: boolean } {
  const own = env.LOG_LEVEL?.trim().toLowerCase();
  if (own) return LOG_LEVELS.includes(own as LogLevel) ? { level: own as LogLevel, valid: true } : { level: "info", valid: false };
  const lambda = env.AWS_LAMBDA_LOG_LEVEL?.trim().toLowerCase();
  const fromLambda: Record<string, LogLevel> = { trace: "debug", debug: "debug", info: "info", warn: "warn", error: "error", fatal: "error" };
  return { level: (lambda && fromLambda[lambda]) || "info", valid: true };
}

function parseAllowList(raw: string | undefined): ReadonlySet<number> | undefined {
  if (!raw || raw.trim() === "") return undefined;
  const set = new Set<number>();
  for (const id of raw.split(",").map((part) => part.trim()).filter(Boolean)) {
    if (!/^[0-9]{1,10}$/.test(id) || Number(id) < 1 || Number(id) > MAX_SDK_APP_ID) {
      throw configError(undefined, `TRTC_ALLOWED_SDK_APP_IDS must be comma-separated SdkAppIds; "${id.slice(0, 32)}" is not one`);
    }
    set.add(Number(id));
  }
  return set;
}

/** TRTC_REDIS_URL and its companions. The URL is checked for its scheme only and never echoed (it may hold a password). */
function parseRedis(env: Env): RedisSettings | undefined {
  const url = env.TRTC_REDIS_URL?.trim();
  if (!url) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || !parsed.hostname) {
    throw configError(undefined, "TRTC_REDIS_URL must be a redis:// or rediss:// URL (redis://[user:password@]host:port[/db])");
  }
  const scope = env.TRTC_REDIS_SCOPE?.trim() || "default";
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(scope)) throw configError(undefined, "TRTC_REDIS_SCOPE must be 1-64 letters, digits, '.', '_' or '-'");
  const cluster = booleanSetting(env, "TRTC_REDIS_CLUSTER");
  return { url, timeoutMs: integerSetting(env, "TRTC_REDIS_TIMEOUT_MS", 50, 5, 1000), scope, cluster };
}

function parseOrigins(raw: string | undefined): string[] | undefined {
  const origins = (raw ?? "").split(",").map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw configError(undefined, `CORS_ALLOWED_ORIGINS must be comma-separated origins such as https://ops.example.com; "${origin.slice(0, 64)}" is not one`);
    }
  }
  return origins.length > 0 ? origins : undefined;
}

function parseRegion(env: Env): string {
  const region = env.TRTC_REGION?.trim() || DEFAULT_REGION;
  if (!REGION.test(region) || region.length > 32) {
    throw configError("Region", "TRTC_REGION must be a Tencent Cloud region name such as ap-singapore, ap-tokyo or ap-guangzhou");
  }
  return region;
}

function parseTarget(env: Env, endpoint: string): FunctionConfig["target"] {
  const endpointUrl = env.TRTC_ENDPOINT_URL?.trim();
  if (!endpointUrl) return { protocol: "https:", hostname: endpoint, port: 443 };
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw configError("Endpoint", "TRTC_ENDPOINT_URL must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw configError("Endpoint", "TRTC_ENDPOINT_URL must use https:// (or http:// for a loopback address)");
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw configError("Endpoint", "TRTC_ENDPOINT_URL may use plain http:// only for loopback addresses");
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.username || url.password) {
    throw configError("Endpoint", "TRTC_ENDPOINT_URL must be a base URL without path, query or user info");
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { protocol: url.protocol, hostname, port: Number(url.port) || (url.protocol === "https:" ? 443 : 80) };
}

function parseEndpoint(env: Env): string {
  const endpoint = (env.TRTC_ENDPOINT?.trim() || DEFAULT_ENDPOINT).toLowerCase();
  if (!HOSTNAME.test(endpoint) || !endpoint.includes(".")) {
    throw configError("Endpoint", `TRTC_ENDPOINT must be a host name such as ${DEFAULT_ENDPOINT}`);
  }
  return endpoint;
}

function parseSecret(env: Env): SecretSettings | undefined {
  const secretId = env.TRTC_CREDENTIALS_SECRET_ID?.trim();
  if (!secretId) return undefined;
  return { secretId, ttlMs: integerSetting(env, "TRTC_CREDENTIALS_SECRET_TTL_SECONDS", 300, 0, 86_400) * 1000 };
}

/** The key TRTC's console takes for callback signatures: 1–32 letters and digits. */
export const CALLBACK_KEY = /^[A-Za-z0-9]{1,32}$/;

function parseCallbacks(env: Env): CallbackSettings {
  const key = env.TRTC_CALLBACK_KEY?.trim() || undefined;
  if (key !== undefined && !CALLBACK_KEY.test(key)) throw configError(undefined, "TRTC_CALLBACK_KEY must be 1-32 letters and digits, as set in the TRTC console");
  const retentionSeconds = integerSetting(env, "TRTC_CALLBACK_RETENTION_SECONDS", 604_800, 60, 31_536_000);
  return { key, retentionMs: retentionSeconds * 1000 };
}

function parseConfig(env: Env, logLevel: LogLevel): FunctionConfig {
  const endpoint = parseEndpoint(env);
  return {
    region: parseRegion(env),
    endpoint,
    target: parseTarget(env, endpoint),
    allowedSdkAppIds: parseAllowList(env.TRTC_ALLOWED_SDK_APP_IDS),
    logLevel,
    attemptTimeoutMs: integerSetting(env, "TRTC_ATTEMPT_TIMEOUT_MS", 5000, 1, 60_000),
    maxAttempts: integerSetting(env, "TRTC_MAX_ATTEMPTS", 3, 1, 10),
    corsOrigins: parseOrigins(env.CORS_ALLOWED_ORIGINS),
    throwOnError: booleanSetting(env, "TRTC_THROW_ON_ERROR"),
    // Up to a million: an emulator or a proxy without TRTC's limit (the pacer then only keeps its books).
    rateLimitPerSecond: integerSetting(env, "TRTC_RATE_LIMIT_PER_SECOND", 18, 1, 1_000_000),
    statusCacheTtlMs: integerSetting(env, "TRTC_STATUS_CACHE_TTL_MS", 0, 0, 3_600_000),
    redis: parseRedis(env),
    secret: parseSecret(env),
    callbacks: parseCallbacks(env),
  };
}

/** Reads the whole configuration once: complete, or the first classified error. */
export function readConfig(env: Env = process.env): ConfigReading {
  const { level: logLevel, valid } = readLogLevel(env);
  const ignoredLogLevel = !valid;
  try {
    return { logLevel, ignoredLogLevel, ok: true, config: parseConfig(env, logLevel) };
  } catch (error) {
    if (error instanceof TrtcFunctionError) return { logLevel, ignoredLogLevel, ok: false, error };
    throw error;
  }
}

/** The configuration, or its error thrown (tests and tools that want one or the other). */
export function loadConfig(env: Env = process.env): FunctionConfig {
  const reading = readConfig(env);
  if (!reading.ok) throw reading.error;
  return reading.config;
}

import { TrtcFunctionError } from "./errors";

/** Regions DescribeStreamIngest serves (API reference). */
export const SUPPORTED_REGIONS = ["ap-bangkok", "ap-jakarta", "ap-mumbai", "ap-singapore"] as const;
export type Region = (typeof SUPPORTED_REGIONS)[number];

export const DEFAULT_REGION: Region = "ap-singapore";
export const DEFAULT_ENDPOINT = "trtc.tencentcloudapi.com";
export type LogLevel = "debug" | "info" | "warn" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export interface FunctionConfig {
  region: Region;
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
  corsOrigins: string[] | undefined;
  /** Whether failures of direct invocations are thrown (workflow engines' Retry/Catch) rather than returned. */
  throwOnError: boolean;
  /** Upstream request starts allowed in any rolling second: per container, or fleet-wide with Redis. */
  rateLimitPerSecond: number;
  /** How long an answered status may be reused, ms; 0 = never. */
  statusCacheTtlMs: number;
  /** The shared store (TRTC_REDIS_URL); undefined = everything per container. Never logged: it may hold a password. */
  redis: RedisSettings | undefined;
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

type Env = Record<string, string | undefined>;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function configError(setting: "Region" | "Endpoint" | undefined, message: string): TrtcFunctionError {
  return new TrtcFunctionError(setting ? `InvalidConfiguration.${setting}` : "InvalidConfiguration", message);
}

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** An integer setting from `min` to `max`; unset or blank gives `fallback`. Throws InvalidConfiguration. */
export function integerSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(undefined, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function parseAllowList(raw: string | undefined): ReadonlySet<number> | undefined {
  if (!raw || raw.trim() === "") return undefined;
  const ids = raw.split(",").map((part) => part.trim()).filter(Boolean);
  const set = new Set<number>();
  for (const id of ids) {
    if (!/^[0-9]{1,10}$/.test(id) || Number(id) < 1 || Number(id) > 4294967295) {
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
  const cluster = env.TRTC_REDIS_CLUSTER?.trim().toLowerCase() === "true";
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

/**
 * Reads and checks the configuration from the environment. Throws a TrtcFunctionError with an
 * `InvalidConfiguration.*` code when something is wrong, so the edge can answer with it instead of a stack trace.
 * Credentials are not read here: they may rotate while the container lives (see credentials.ts).
 */
export function loadConfig(env: Env = process.env): FunctionConfig {
  const region = (env.TRTC_REGION?.trim() || DEFAULT_REGION) as Region;
  if (!SUPPORTED_REGIONS.includes(region)) {
    throw configError(
      "Region",
      `TRTC_REGION "${region.slice(0, 40)}" is not supported by DescribeStreamIngest; use one of ${SUPPORTED_REGIONS.join(", ")}`,
    );
  }

  const endpoint = (env.TRTC_ENDPOINT?.trim() || DEFAULT_ENDPOINT).toLowerCase();
  if (!HOSTNAME.test(endpoint) || !endpoint.includes(".")) {
    throw configError("Endpoint", `TRTC_ENDPOINT must be a host name such as ${DEFAULT_ENDPOINT}`);
  }

  let target: FunctionConfig["target"] = { protocol: "https:", hostname: endpoint, port: 443 };
  const endpointUrl = env.TRTC_ENDPOINT_URL?.trim();
  if (endpointUrl) {
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
    target = { protocol: url.protocol, hostname, port: Number(url.port) || (url.protocol === "https:" ? 443 : 80) };
  }

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;

  return {
    region,
    endpoint,
    target,
    allowedSdkAppIds: parseAllowList(env.TRTC_ALLOWED_SDK_APP_IDS),
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : "info",
    attemptTimeoutMs: integerSetting(env, "TRTC_ATTEMPT_TIMEOUT_MS", 5000, 1, 60_000),
    maxAttempts: integerSetting(env, "TRTC_MAX_ATTEMPTS", 3, 1, 10),
    corsOrigins: parseOrigins(env.CORS_ALLOWED_ORIGINS),
    throwOnError: env.TRTC_THROW_ON_ERROR?.trim().toLowerCase() === "true",
    // Up to a million: an emulator or a proxy without TRTC's limit (the pacer then only keeps its books).
    rateLimitPerSecond: integerSetting(env, "TRTC_RATE_LIMIT_PER_SECOND", 18, 1, 1_000_000),
    statusCacheTtlMs: integerSetting(env, "TRTC_STATUS_CACHE_TTL_MS", 0, 0, 3_600_000),
    redis: parseRedis(env),
  };
}

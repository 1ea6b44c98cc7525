/**
 * Structured JSON logging: one line per event, written straight to stdout so CloudWatch Logs and SCF's log service
 * index it as JSON (console.log on Lambda prefixes each line with text).
 *
 * Written by hand rather than taken from pino or Powertools Logger: those cost 35-60 KB of a 100 KB bundle budget
 * that exists to keep cold starts short, for features (transports, child loggers, sampling) this function does not
 * use. What we need is level filtering, JSON, and scrubbing of secrets.
 */
import type { LogLevel } from "./config";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Values that must never appear in a log line (secret key, session token). Read at write time: they rotate. */
  secrets?: () => readonly string[];
  write?: (line: string) => void;
}

/** Replaces every occurrence of each secret in `text` with a marker. Secrets shorter than 8 characters are ignored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8 && out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level];
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  return {
    enabled: (level) => RANK[level] >= threshold,
    log(level, message, fields = {}) {
      if (RANK[level] < threshold) return;
      const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields });
      write(redact(line, options.secrets?.() ?? []));
    },
  };
}

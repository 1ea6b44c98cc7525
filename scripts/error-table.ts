/**
 * Prints the README's error table from lib/errors.ts, so the documentation cannot drift from the code
 * (test/unit/readme.test.ts checks that README.md contains exactly this table).
 *
 *   tsx scripts/error-table.ts
 */
import { API_ERRORS, FUNCTION_ERRORS, type ErrorInfo } from "../lib/errors";

export function errorTable(): string {
  const row = (code: string, info: ErrorInfo, source: string) =>
    `| \`${code}\` | ${source} | ${info.status} | ${info.retryable ? "yes" : "no"} | ${info.advice} |`;
  return [
    "| code | from | HTTP status | retryable | what the caller should do |",
    "| --- | --- | --- | --- | --- |",
    ...Object.entries(FUNCTION_ERRORS).map(([code, info]) => row(code, info, "function")),
    ...Object.entries(API_ERRORS).map(([code, info]) => row(code, info, "TRTC API")),
  ].join("\n");
}

if (require.main === module) console.log(errorTable());

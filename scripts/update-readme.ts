/**
 * Rewrites the generated parts of README.md (between `<!-- name:start -->` and `<!-- name:end -->` markers):
 * the error table from lib/errors.ts and the advice in scripts/error-table.ts.
 *
 *   tsx scripts/update-readme.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorTable } from "./error-table";

const path = join(__dirname, "..", "README.md");
const readme = readFileSync(path, "utf8");
const updated = readme.replace(/(<!-- error-table:start -->\n)[\s\S]*?(\n<!-- error-table:end -->)/, `$1${errorTable()}$2`);
writeFileSync(path, updated);

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { errorTable } from "../../scripts/error-table";

it("README's error table is the one lib/errors.ts describes (regenerate with npx tsx scripts/error-table.ts)", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  expect(readme).toContain(errorTable());
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { adviceMismatches, errorTable } from "../../scripts/error-table";

it("every catalogued code has advice for callers, and no other code has (scripts/error-table.ts)", () => {
  expect(adviceMismatches()).toEqual([]);
});

it("README's error table is the one lib/errors.ts and scripts/error-table.ts describe (regenerate with npm run readme)", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  expect(readme).toContain(errorTable());
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { generate } from "../../build/compile-schemas";

it("the committed compiled validators match lib/params.ts (run npm run build after changing a schema)", () => {
  for (const [name, content] of Object.entries(generate())) {
    expect(readFileSync(join(__dirname, "..", "..", "lib", "generated", name), "utf8"), name).toBe(content);
  }
});

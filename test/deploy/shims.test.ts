/**
 * The stand-ins in build/shims cover what the bundle uses of them. Reads the bundle's metafile (dist/meta.json,
 * written by build/build.ts; test/global-setup.ts builds it) for every import that resolved to a shim or a lazy
 * built-in, reads the importer's source, and checks that each member it uses (a tslib helper, an export, a
 * built-in's function) exists on the stand-in, and that the stand-in exports nothing nobody uses. Whatever the
 * bundle pulls in (the SDK, node-fetch or another transport) is checked the same way.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const LAZY_PREFIX = "lazy-builtin:";

interface Metafile {
  inputs: Record<string, { imports: Array<{ path: string; kind: string; original?: string }> }>;
}

/** One importer's use of one shimmed module. */
interface Use {
  importer: string;
  shim: string;
  /** Members read off the module. */
  members: Set<string>;
  /** The module itself is called or constructed (a default import of a CommonJS function). */
  called: boolean;
  /** Members read off what calling the module returned. */
  resultMembers: Set<string>;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const namesIn = (list: string) =>
  list.split(",").map((part) => part.trim().split(/\s+as\s+|\s*:\s*/)[0]!.trim()).filter(Boolean);
const membersOf = (source: string, binding: string, prefix = "") =>
  [...source.matchAll(new RegExp(`\\b${escape(binding)}\\.${escape(prefix)}([A-Za-z_$][\\w$]*)`, "g"))].map((m) => m[1]!);

/**
 * What `source` uses of the module it requires or imports as `specifier`, from the shapes tsc, rollup and esbuild
 * emit: `x = require(s)`, `x = tslib.__importDefault(require(s))` / `__importStar` / `_interopDefault`,
 * `{ a } = require(s)`, `require(s).a`, `import { a } from s`, `import * as x from s`. Undefined: a shape not
 * understood, which the test reports rather than skips.
 */
export function usesOf(source: string, specifier: string): Omit<Use, "importer" | "shim"> | undefined {
  const s = `["']${escape(specifier)}["']`;
  const use = { members: new Set<string>(), called: false, resultMembers: new Set<string>() };
  let understood = false;
  for (const m of source.matchAll(new RegExp(`(?:const|let|var)\\s+([\\w$]+)\\s*=\\s*(?:([\\w$.]+)\\()?require\\(${s}\\)`, "g"))) {
    understood = true;
    const [, binding, wrapper] = m as unknown as [string, string, string | undefined];
    if (wrapper && /__importDefault$/.test(wrapper)) {
      // tslib's default import of CommonJS: `binding.default` is the module itself.
      for (const name of membersOf(source, binding, "default.")) use.members.add(name);
      if (new RegExp(`(?:\\(0,\\s*${escape(binding)}\\.default\\)|new\\s+${escape(binding)}\\.default)\\s*\\(`).test(source)) use.called = true;
      for (const r of source.matchAll(new RegExp(`(?:const|let|var)\\s+([\\w$]+)\\s*=\\s*\\(0,\\s*${escape(binding)}\\.default\\)\\(`, "g"))) {
        for (const name of membersOf(source, r[1]!)) use.resultMembers.add(name);
      }
    } else if (!wrapper || /__importStar$|_interopDefault$/.test(wrapper)) {
      for (const name of membersOf(source, binding)) if (name !== "default") use.members.add(name);
    } else {
      return undefined;
    }
  }
  for (const m of source.matchAll(new RegExp(`(?:const|let|var)\\s*\\{([^}]*)\\}\\s*=\\s*require\\(${s}\\)`, "g"))) {
    understood = true;
    for (const name of namesIn(m[1]!)) use.members.add(name);
  }
  for (const m of source.matchAll(new RegExp(`require\\(${s}\\)\\.([\\w$]+)`, "g"))) {
    understood = true;
    use.members.add(m[1]!);
  }
  for (const m of source.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*${s}`, "g"))) {
    understood = true;
    for (const name of namesIn(m[1]!)) use.members.add(name);
  }
  for (const m of source.matchAll(new RegExp(`import\\s*\\*\\s*as\\s+([\\w$]+)\\s+from\\s*${s}`, "g"))) {
    understood = true;
    for (const name of membersOf(source, m[1]!)) use.members.add(name);
  }
  return understood ? use : undefined;
}

/** The stand-in a metafile path names: a shim file's exports, or one entry of lazy-builtins.js. */
function standIn(path: string): unknown {
  if (path.startsWith(LAZY_PREFIX)) return (require(join(root, "build", "shims", "lazy-builtins.js")) as Record<string, unknown>)[path.slice(LAZY_PREFIX.length)];
  return require(join(root, path));
}

/** Every problem: members used but missing, calls of what is not a function, shapes not understood, unused exports. */
export function shimProblems(meta: Metafile, sourceOf: (path: string) => string, resolve: (path: string) => unknown = standIn): { problems: string[]; uses: Use[] } {
  const problems: string[] = [];
  const uses: Use[] = [];
  for (const [importer, input] of Object.entries(meta.inputs)) {
    for (const imported of input.imports) {
      const isShim = imported.path.startsWith("build/shims/") || imported.path.startsWith(LAZY_PREFIX);
      if (!isShim || importer.startsWith(LAZY_PREFIX) || !imported.original) continue;
      const found = usesOf(sourceOf(importer), imported.original);
      if (!found) {
        problems.push(`${importer}: cannot tell what it uses of ${imported.original} (${imported.path}); teach usesOf this shape`);
        continue;
      }
      uses.push({ importer, shim: imported.path, ...found });
    }
  }
  const used = new Map<string, Set<string>>();
  for (const use of uses) {
    const stand = resolve(use.shim) as Record<string, unknown> & ((...args: unknown[]) => unknown);
    const seen = used.get(use.shim) ?? new Set<string>();
    used.set(use.shim, seen);
    for (const name of use.members) {
      seen.add(name);
      if (!(name in Object(stand))) problems.push(`${use.importer} uses ${name} of ${use.shim}, which the stand-in lacks`);
    }
    if ((use.called || use.resultMembers.size > 0) && typeof stand !== "function") problems.push(`${use.importer} calls ${use.shim}, which is not a function`);
    if (use.resultMembers.size > 0 && typeof stand === "function") {
      const result = Object(stand({}));
      for (const name of use.resultMembers) if (!(name in result)) problems.push(`${use.importer} uses ${name} of what ${use.shim} returns, which it lacks`);
    }
  }
  for (const [shim, seen] of used) {
    const stand = resolve(shim);
    if (typeof stand !== "object" || stand === null) continue;
    for (const name of Object.keys(stand)) if (!seen.has(name)) problems.push(`${shim} exports ${name}, which nothing in the bundle uses`);
  }
  return { problems, uses };
}

describe("build/shims against the bundle's metafile", () => {
  const meta = JSON.parse(readFileSync(join(root, "dist", "meta.json"), "utf8")) as Metafile;
  const fromDisk = (path: string) => readFileSync(join(root, path), "utf8");

  it("every member the bundle uses of a stand-in exists, and every export of one is used", () => {
    const { problems, uses } = shimProblems(meta, fromDisk);
    expect(problems).toEqual([]);
    // The check saw the SDK's tslib helpers, not nothing.
    const tslib = uses.filter((use) => use.shim === "build/shims/tslib.js");
    expect(tslib.length).toBeGreaterThan(0);
    expect(new Set(tslib.flatMap((use) => [...use.members]))).toContain("__importDefault");
  });

  it("fails for a helper, an export or a built-in member a stand-in lacks, and for a shape it cannot read", () => {
    const fake: Metafile = {
      inputs: {
        "a.js": { imports: [{ path: "build/shims/tslib.js", kind: "require-call", original: "tslib" }] },
        "b.js": { imports: [{ path: "build/shims/uuid.js", kind: "require-call", original: "uuid" }] },
        "c.js": { imports: [{ path: `${LAZY_PREFIX}zlib`, kind: "require-call", original: "zlib" }] },
        "d.js": { imports: [{ path: "build/shims/json-bigint.js", kind: "require-call", original: "json-bigint" }] },
        "e.js": { imports: [{ path: "build/shims/uuid.js", kind: "require-call", original: "uuid" }] },
      },
    };
    const sources: Record<string, string> = {
      "a.js": 'const tslib_1 = require("tslib"); tslib_1.__importDefault(x); tslib_1.__importStar(y); tslib_1.__spreadArray(a, b);',
      "b.js": 'const uuid_1 = require("uuid"); (0, uuid_1.v4)(); (0, uuid_1.v7)();',
      "c.js": "var zlib = _interopDefault(require('zlib')); zlib.createGunzip(); zlib.gzipSync(x);",
      "d.js": 'const tslib_1 = require("tslib"); const j = tslib_1.__importDefault(require("json-bigint")); const J = (0, j.default)({}); J.stringify(1); J.rawParse(2);',
      "e.js": 'const lib = someLoader(require("uuid"));',
    };
    const { problems } = shimProblems(fake, (path) => sources[path]!);
    expect(problems).toEqual(expect.arrayContaining([
      "a.js uses __spreadArray of build/shims/tslib.js, which the stand-in lacks",
      "b.js uses v7 of build/shims/uuid.js, which the stand-in lacks",
      "c.js uses gzipSync of lazy-builtin:zlib, which the stand-in lacks",
      "d.js uses rawParse of what build/shims/json-bigint.js returns, which it lacks",
      expect.stringMatching(/^e\.js: cannot tell what it uses of uuid/),
    ]));
  });

  it("lazy-builtins throws, naming itself, on a name it does not list", () => {
    const lazy = require(join(root, "build", "shims", "lazy-builtins.js")) as Record<string, Record<string, unknown>>;
    expect(typeof lazy.zlib!.createGunzip).toBe("function");
    expect(() => lazy.zlib!.gzipSync).toThrow(/node:zlib\.gzipSync is used but not listed/);
    expect(lazy.zlib!.__esModule).toBeUndefined(); // an interop probe is not a use
  });
});

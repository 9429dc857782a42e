/**
 * The two libraries read as one API: every public name of `@authbridge/verifier` (its root,
 * `/testing` and `/hono`) has its Python twin in `authbridge` (`__all__` of the root,
 * `authbridge.testing` and `authbridge.fastapi`), the same name in Python's case, and both sit in
 * one row of the README's side-by-side table. A name in one library only must be one of the
 * README's deliberate differences, with its reason; a difference that no longer exists fails too.
 * Every TypeScript export shows an `@example` (Python's: authbridge/tests/test_public_docs.py).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "@authbridge/harness/commands";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { snakeCase } from "../src/contract.js";

const run = promisify(execFile);
const PYTHON = path.join(ROOT, "python-backend", ".venv", "bin", "python");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** Each TypeScript entry point and the Python module that is its twin. */
const MODULES = [
  { ts: "src/verifier-sdk/src/index.ts", py: "authbridge" },
  { ts: "src/verifier-sdk/src/testing.ts", py: "authbridge.testing" },
  { ts: "src/verifier-sdk/src/hono.ts", py: "authbridge.fastapi" },
] as const;

/** Every name a TypeScript module exports, types included, and whether its JSDoc has an `@example`. */
function readExportDocs(file: string): { name: string; example: boolean }[] {
  const entry = path.join(ROOT, file);
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`no module symbol for ${file}`);
  return checker.getExportsOfModule(symbol).map((exported) => {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return { name: exported.getName(), example: target.getJsDocTags(checker).some((tag) => tag.name === "example") };
  });
}

const exportDocs = new Map<string, { name: string; example: boolean }[]>();
/** `readExportDocs`, once per module: a program costs most of a second to build. */
function typescriptExportDocs(file: string): { name: string; example: boolean }[] {
  let docs = exportDocs.get(file);
  if (!docs) {
    docs = readExportDocs(file);
    exportDocs.set(file, docs);
  }
  return docs;
}

const typescriptExports = (file: string) => typescriptExportDocs(file).map((e) => e.name);

async function pythonExports(): Promise<Record<string, string[]>> {
  const script = `import importlib, json
print(json.dumps({m: sorted(importlib.import_module(m).__all__) for m in ${JSON.stringify(MODULES.map((m) => m.py))}}))`;
  const { stdout } = await run(PYTHON, ["-c", script], { cwd: path.join(ROOT, "python-backend") });
  return JSON.parse(stdout);
}

/** A TypeScript name as Python spells it: functions and values in snake_case, types and constants as they are. */
const pythonName = (name: string) => (/^[a-z]/.test(name) ? snakeCase(name) : name);

/** README "Deliberate differences": lines `- \`name\` (TypeScript only|Python only): reason`. */
function deliberateDifferences(): Map<string, { side: "TypeScript" | "Python"; reason: string }> {
  const section = README.split("#### Deliberate differences")[1]?.split("\n#")[0] ?? "";
  const found = new Map<string, { side: "TypeScript" | "Python"; reason: string }>();
  for (const match of section.matchAll(/^- `([A-Za-z_]+)` \((TypeScript|Python) only\): (.+)$/gm)) {
    found.set(match[1] as string, { side: match[2] as "TypeScript" | "Python", reason: match[3] as string });
  }
  return found;
}

/** README side-by-side rows: [TypeScript cell, Python cell]. */
function tableRows(): [string, string][] {
  const section = README.split("### The two libraries side by side")[1]?.split("\n#### ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| what") && !line.startsWith("|---"))
    .map((line) => {
      const cells = line.split(" | ");
      return [cells[1] ?? "", cells[2] ?? ""] as [string, string];
    });
}

const mentions = (cell: string, name: string) => new RegExp(`\`[^\`]*\\b${name}\\b`).test(cell);

describe("the TypeScript SDK and the Python library", async () => {
  const py = await pythonExports();
  const differences = deliberateDifferences();
  const rows = tableRows();

  it("say why each difference is deliberate", () => {
    expect(differences.size).toBeGreaterThan(0);
    for (const [name, { reason }] of differences) expect(reason.length, name).toBeGreaterThan(20);
  });

  it("have no row in the side-by-side table with one side empty", () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const [tsCell, pyCell] of rows) {
      expect(tsCell.trim(), `row ${tsCell} | ${pyCell}`).toMatch(/`/);
      expect(pyCell.trim(), `row ${tsCell} | ${pyCell}`).toMatch(/`/);
    }
  });

  for (const module of MODULES) {
    it(`${module.ts} and ${module.py} export the same names`, () => {
      const tsNames = typescriptExports(module.ts);
      const pyNames = new Set(py[module.py]);
      const tsOnly = tsNames.filter((name) => !pyNames.has(pythonName(name)) && !differences.has(name));
      const twins = new Set(tsNames.map(pythonName));
      const pyOnly = [...pyNames].filter((name) => !twins.has(name) && !differences.has(name));
      expect({ tsOnly, pyOnly }).toEqual({ tsOnly: [], pyOnly: [] });
      // A listed difference that has a twin after all is stale.
      for (const name of tsNames)
        if (differences.get(name)?.side === "TypeScript") expect(pyNames).not.toContain(pythonName(name));
      for (const name of pyNames) if (differences.get(name)?.side === "Python") expect(twins).not.toContain(name);
    });

    it(`${module.ts}: every export shows an @example in its JSDoc`, () => {
      const missing = typescriptExportDocs(module.ts).filter((e) => !e.example);
      expect(missing.map((e) => e.name)).toEqual([]);
    });

    it(`${module.ts}: each twin pair shares one row of the README table`, () => {
      const pyNames = new Set(py[module.py]);
      for (const name of typescriptExports(module.ts)) {
        if (!pyNames.has(pythonName(name))) continue;
        const row = rows.find(([tsCell, pyCell]) => mentions(tsCell, name) && mentions(pyCell, pythonName(name)));
        expect(row, `${name} / ${pythonName(name)}`).toBeDefined();
      }
    });
  }
});

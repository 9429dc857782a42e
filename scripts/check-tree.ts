/**
 * `npm run lint` keeps the tree small and acyclic: no import cycle among the TypeScript modules
 * (type-only imports included), and no source file outside tests over 350 lines. Python's
 * import cycles are python-backend/scripts/check_cycles.py's.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "..");
const MAX_LINES = 350;

const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter((file) => file && fs.existsSync(path.join(ROOT, file)));

const isTest = (file: string) =>
  /(^|\/)(tests?|__tests__)\//.test(file) || /\.test\.ts$|(^|\/)test_[^/]+\.py$/.test(file);
const isSource = (file: string) => /\.(ts|mjs|py|sh)$/.test(file) && !file.endsWith(".d.ts");

const problems: string[] = [];

for (const file of tracked.filter((f) => isSource(f) && !isTest(f))) {
  const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n").length;
  if (lines > MAX_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_LINES} outside tests)`);
}

const config = ts.getParsedCommandLineOfConfigFile(
  path.join(ROOT, "tsconfig.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
if (!config) throw new Error("tsconfig.json did not parse");
const files = new Set(config.fileNames.map((f) => fs.realpathSync(f)));
const host = ts.createCompilerHost(config.options);
const graph = new Map<string, string[]>();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  const targets: string[] = [];
  for (const imported of importedFiles) {
    const resolved = ts.resolveModuleName(imported.fileName, file, config.options, host).resolvedModule;
    if (!resolved) continue;
    const target = fs.realpathSync(resolved.resolvedFileName);
    if (files.has(target)) targets.push(target);
  }
  graph.set(file, targets);
}

// Tarjan: every strongly connected component of more than one module (or a self-import) is a cycle.
let index = 0;
const order = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
function visit(node: string): void {
  order.set(node, index);
  low.set(node, index);
  index += 1;
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!order.has(next)) {
      visit(next);
      low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
    } else if (onStack.has(next)) {
      low.set(node, Math.min(low.get(node) as number, order.get(next) as number));
    }
  }
  if (low.get(node) !== order.get(node)) return;
  const component: string[] = [];
  let member: string;
  do {
    member = stack.pop() as string;
    onStack.delete(member);
    component.push(path.relative(ROOT, member));
  } while (member !== node);
  if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
    problems.push(`import cycle: ${component.sort().join(" ↔ ")}`);
  }
}
for (const node of graph.keys()) if (!order.has(node)) visit(node);

if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\n`);
  process.exit(1);
}
process.stdout.write(
  `tree: ${graph.size} TypeScript modules without an import cycle; no source file over ${MAX_LINES} lines\n`,
);

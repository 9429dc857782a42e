/** Verifying one token, on Node (bench/verify.bench.ts) and on Python (python-backend/bench). */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "@authbridge/harness";
import { say } from "../load.js";

export interface VerifyRow {
  name: string;
  opsPerSec: number;
}

export interface VerifyResult {
  rows: VerifyRow[];
  /** The Python version (Python run only). */
  python?: string;
}

/** The last line a bench script prints is its JSON summary. */
function summary(command: string, args: string[], cwd: string): VerifyResult {
  const out = execFileSync(command, args, { cwd, encoding: "utf8" });
  process.stdout.write(out);
  return JSON.parse(out.trim().split("\n").at(-1) as string) as VerifyResult;
}

export function nodeVerify(): VerifyResult {
  say("[bench] Node verify …");
  return summary(
    process.execPath,
    ["--conditions=authbridge-source", "--import", "tsx", "bench/verify.bench.ts"],
    ROOT,
  );
}

export function pythonVerify(): VerifyResult {
  say("[bench] Python verify …");
  const cwd = path.join(ROOT, "python-backend");
  return summary(path.join(cwd, ".venv", "bin", "python"), ["bench/bench_verify.py"], cwd);
}

/**
 * Property-based HTTP fuzzing of both task APIs: schemathesis generates valid and invalid
 * requests from python-backend's OpenAPI document (seeded, bounded) and every one is replayed
 * against the TypeScript twin; no 5xx from either and the same status from both
 * (python-backend/scripts/fuzz_both.py).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useStack } from "../src/stack.js";

const run = promisify(execFile);
const BACKEND = path.resolve(import.meta.dirname, "../../python-backend");
const SEED = "20261123";
const EXAMPLES = "25";

const { stack, user } = useStack("fuzzer");

describe("schemathesis against both task APIs", () => {
  it("generated requests get the same status from both and never a 5xx", async () => {
    const [python, twin] = stack.backends.list;
    const { stdout } = await run(
      path.join(BACKEND, ".venv", "bin", "python"),
      [
        "scripts/fuzz_both.py",
        "--python",
        python?.url as string,
        "--twin",
        twin?.url as string,
        "--token",
        user.jwt,
        "--seed",
        SEED,
        "--examples",
        EXAMPLES,
      ],
      { cwd: BACKEND, maxBuffer: 10 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    const lines = stdout.trim().split("\n");
    console.log(lines.join("\n"));
    expect(lines.filter((line) => line.startsWith("FAIL"))).toEqual([]);
    const summary = lines.at(-1) ?? "";
    const [, operations] = /^fuzz: (\d+) passed, 0 failed$/.exec(summary) ?? [];
    expect(Number(operations)).toBeGreaterThanOrEqual(9);
  }, 120_000);
});

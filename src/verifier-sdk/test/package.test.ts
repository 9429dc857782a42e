/** The built package works from ESM `import` and CommonJS `require` (Node ≥ 20.19). */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const pkg = path.resolve(import.meta.dirname, "..");
const root = path.resolve(pkg, "../..");

describe("@authbridge/verifier as published", () => {
  let dir: string;
  beforeAll(async () => {
    await run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: pkg,
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-pkg-"));
    fs.mkdirSync(path.join(dir, "node_modules", "@authbridge"), { recursive: true });
    fs.symlinkSync(pkg, path.join(dir, "node_modules", "@authbridge", "verifier"));
    fs.symlinkSync(path.join(root, "node_modules", "jose"), path.join(dir, "node_modules", "jose"));
    fs.symlinkSync(path.join(root, "node_modules", "hono"), path.join(dir, "node_modules", "hono"));
  }, 60_000);

  it("is importable from ESM", async () => {
    const script = `import { createVerifier, AuthError } from "@authbridge/verifier";
import { requireUser } from "@authbridge/verifier/hono";
const v = createVerifier({ jwks: { keys: [] }, issuer: "i", audience: "a" });
console.log(typeof v.verify, typeof requireUser, new AuthError("token_expired").status);`;
    fs.writeFileSync(path.join(dir, "esm.mjs"), script);
    const { stdout } = await run(process.execPath, ["esm.mjs"], { cwd: dir });
    expect(stdout.trim()).toBe("function function 401");
  });

  it("is requirable from CommonJS", async () => {
    const script = `const { createVerifier, AuthError } = require("@authbridge/verifier");
const v = createVerifier({ jwks: { keys: [] }, issuer: "i", audience: "a" });
v.verify("x.y.z").catch((e) => console.log(e instanceof AuthError, e.code));`;
    fs.writeFileSync(path.join(dir, "cjs.cjs"), script);
    const { stdout, stderr } = await run(process.execPath, ["cjs.cjs"], { cwd: dir });
    expect(stdout.trim()).toBe("true malformed_token");
    expect(stderr).not.toMatch(/Error/);
  });

  it("ships type declarations", () => {
    expect(fs.existsSync(path.join(pkg, "dist", "index.d.ts"))).toBe(true);
    expect(fs.existsSync(path.join(pkg, "dist", "hono.d.ts"))).toBe(true);
  });
});

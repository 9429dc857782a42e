/**
 * @authbridge/verifier as users get it: `npm pack` (which builds dist through `prepack`), the
 * tarball installed into an empty project with no workspace around it, then imported from ESM
 * and CommonJS, with its testing helpers and the Hono middleware.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const pkg = path.resolve(import.meta.dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("@authbridge/verifier packed and installed in an empty project", () => {
  let dir: string;
  let tarball: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-pkg-"));
    const { stdout } = await run(npm, ["pack", "--json", "--pack-destination", dir], { cwd: pkg });
    tarball = path.join(dir, (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string);
    const project = path.join(dir, "app");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true }));
    await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, "hono@4"], { cwd: project });
    dir = project;
  }, 180_000);
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it("ships dist (ESM, CJS, types) and no tests", () => {
    const installed = path.join(dir, "node_modules", "@authbridge", "verifier");
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/cjs/index.js", "dist/testing.js", "dist/hono.d.ts"]) {
      expect(fs.existsSync(path.join(installed, file)), file).toBe(true);
    }
    expect(fs.existsSync(path.join(installed, "test"))).toBe(false);
  });

  it("verifies a token from its testing helpers, imported from ESM", async () => {
    const script = `import { verifierFromEnv, AuthError } from "@authbridge/verifier";
import { requireUser } from "@authbridge/verifier/hono";
import { configureEnv, makeToken } from "@authbridge/verifier/testing";
configureEnv();
const verifier = verifierFromEnv(process.env);
const user = await verifier.verify(makeToken("ada"));
const expired = await verifier.verify(makeToken("ada", { exp: 1 })).catch((e) => e);
console.log(user.id, typeof requireUser, expired instanceof AuthError && expired.code);`;
    fs.writeFileSync(path.join(dir, "esm.mjs"), script);
    const { stdout } = await run(process.execPath, ["esm.mjs"], { cwd: dir });
    expect(stdout.trim()).toBe("ada function token_expired");
  });

  it("verifies a machine client's token and exports the client helper, from ESM and CommonJS", async () => {
    const esm = `import { verifierFromEnv, clientCredentials } from "@authbridge/verifier";
import { configureEnv, makeClientToken } from "@authbridge/verifier/testing";
configureEnv();
const caller = await verifierFromEnv(process.env).verify(makeClientToken("reports", "tasks:read:any"));
console.log(caller.kind, caller.clientId, caller.scopes.join(), typeof clientCredentials);`;
    fs.writeFileSync(path.join(dir, "client.mjs"), esm);
    expect((await run(process.execPath, ["client.mjs"], { cwd: dir })).stdout.trim()).toBe(
      "client reports tasks:read:any function",
    );
    const cjs = `const { ClientCredentials } = require("@authbridge/verifier");
console.log(typeof new ClientCredentials({ tokenUrl: "http://x/t", clientId: "a", clientSecret: "b" }).fetch);`;
    fs.writeFileSync(path.join(dir, "client.cjs"), cjs);
    expect((await run(process.execPath, ["client.cjs"], { cwd: dir })).stdout.trim()).toBe("function");
  });

  it("checks a sign-in's second factor (step-up), from ESM and CommonJS", async () => {
    const esm = `import { verifierFromEnv, checkAuthentication, AuthError } from "@authbridge/verifier";
import { requireMfa } from "@authbridge/verifier/hono";
import { configureEnv, makeToken } from "@authbridge/verifier/testing";
configureEnv();
const verifier = verifierFromEnv(process.env);
const now = Math.floor(Date.now() / 1000);
const strong = await verifier.verify(makeToken("ada", { amr: ["pwd", "otp", "mfa"], auth_time: now }));
checkAuthentication(strong, { mfa: true, maxAge: 60 });
const weak = await verifier.verify(makeToken("ada", { amr: ["pwd"], auth_time: now }));
let refused;
try { checkAuthentication(weak, { mfa: true }); } catch (e) { refused = e; }
console.log(strong.amr.join(), refused instanceof AuthError && refused.status, typeof requireMfa);`;
    fs.writeFileSync(path.join(dir, "step-up.mjs"), esm);
    expect((await run(process.execPath, ["step-up.mjs"], { cwd: dir })).stdout.trim()).toBe("pwd,otp,mfa 401 function");
    const cjs = `const { MFA_ACR, AuthError } = require("@authbridge/verifier");
const e = new AuthError("insufficient_user_authentication", { stepUp: { acrValues: MFA_ACR, maxAge: 300 } });
console.log(e.wwwAuthenticate.endsWith(', max_age=300'), e.wwwAuthenticate.includes('acr_values="' + MFA_ACR + '"'));`;
    fs.writeFileSync(path.join(dir, "step-up.cjs"), cjs);
    expect((await run(process.execPath, ["step-up.cjs"], { cwd: dir })).stdout.trim()).toBe("true true");
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

  it("names the environment variable in a configuration error", async () => {
    const script = `import { verifierFromEnv } from "@authbridge/verifier";
try { verifierFromEnv({ AUTH_JWKS_URL: "https://auth.example.com/api/auth/jwks", AUTH_AUDIENCE: "a" }); }
catch (e) { console.log(e.message); }
const v = verifierFromEnv({ AUTH_SERVER_URL: "https://auth.example.com" });
console.log(v.options.jwksUrl.href, v.options.issuer, [...v.options.audiences].join());`;
    fs.writeFileSync(path.join(dir, "env.mjs"), script);
    const { stdout } = await run(process.execPath, ["env.mjs"], { cwd: dir });
    expect(stdout.trim().split("\n")).toEqual([
      "authbridge: AUTH_ISSUER is required",
      "https://auth.example.com/api/auth/jwks https://auth.example.com https://auth.example.com",
    ]);
  });
});

describe("@authbridge/verifier built on its own", () => {
  it("packs outside the monorepo with only its declared devDependencies", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-pkg-alone-"));
    try {
      for (const entry of ["package.json", "tsconfig.build.json", "tsconfig.cjs.json", "README.md", "src"]) {
        fs.cpSync(path.join(pkg, entry), path.join(dir, entry), { recursive: true });
      }
      // No workspace above it: a `tsc` or a type from the monorepo's node_modules cannot leak in.
      await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", "--workspaces=false"], { cwd: dir });
      const { stdout } = await run(npm, ["pack", "--json", "--workspaces=false"], { cwd: dir });
      const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
      expect(fs.existsSync(path.join(dir, packed?.filename as string))).toBe(true);
      const files = packed?.files.map((file) => file.path) ?? [];
      expect(files).toEqual(
        expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/cjs/index.js", "dist/hono.js"]),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

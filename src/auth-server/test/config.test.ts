/** Configuration parsing, and the production refusal to start without a secret. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fetchJwt, newUser, signUp, spawnAuthServer } from "@authbridge/harness";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { CONTRACT } from "../../../contract-tests/src/contract.js";
import { loadConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

const run = promisify(execFile);
const main = path.resolve(import.meta.dirname, "../src/main.ts");
const tsx = path.resolve(import.meta.dirname, "../../../node_modules/tsx/dist/cli.mjs");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-config-"));

describe("loadConfig", () => {
  it("applies the contract's defaults", () => {
    const config = loadConfig({}, { dataDir: tmp() });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.baseURL).toBe("http://127.0.0.1:3000");
    expect(config.jwt).toMatchObject({
      issuer: "http://127.0.0.1:3000",
      audience: "http://127.0.0.1:3000",
      ttlSeconds: 900,
    });
    expect(config.jwt.graceSeconds).toBe(30 * 24 * 3600);
    expect(config.trustedOrigins).toEqual(["http://127.0.0.1:3000", "http://127.0.0.1:5173", "http://localhost:5173"]);
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config) && Object.isFrozen(config.jwt)).toBe(true);
  });

  it("gives machine clients' tokens the contract's lifetime, capped at a day, and their rate limit", () => {
    const { tokenEndpoint } = CONTRACT;
    expect(loadConfig({}, { dataDir: tmp() }).clients).toEqual({
      tokenTtlSeconds: tokenEndpoint.defaultTtlSeconds,
      rateLimitMax: 60,
      rateLimitWindowSeconds: 60,
    });
    const max = String(tokenEndpoint.maxTtlSeconds);
    expect(loadConfig({ CLIENT_TOKEN_TTL_SECONDS: max }, { dataDir: tmp() }).clients.tokenTtlSeconds).toBe(86400);
    const over = String(tokenEndpoint.maxTtlSeconds + 1);
    expect(() => loadConfig({ CLIENT_TOKEN_TTL_SECONDS: over }, { dataDir: tmp() })).toThrow(
      /CLIENT_TOKEN_TTL_SECONDS: at most 86400/,
    );
    expect(() => loadConfig({ CLIENT_TOKEN_RATE_LIMIT_MAX: "0" }, { dataDir: tmp() })).toThrow(ConfigError);
  });

  it("limits second-factor calls to the contract's 5 a minute unless told otherwise", () => {
    const { twoFactor } = CONTRACT.stepUp;
    expect(loadConfig({}, { dataDir: tmp() }).twoFactor).toEqual({
      rateLimitMax: twoFactor.rateLimitMax,
      rateLimitWindowSeconds: twoFactor.rateLimitWindowSeconds,
      mfaRequiredRoles: [],
    });
    const tuned = loadConfig(
      { TWO_FACTOR_RATE_LIMIT_MAX: "3", TWO_FACTOR_RATE_LIMIT_WINDOW_SECONDS: "30" },
      { dataDir: tmp() },
    );
    expect(tuned.twoFactor).toMatchObject({ rateLimitMax: 3, rateLimitWindowSeconds: 30 });
    expect(() => loadConfig({ TWO_FACTOR_RATE_LIMIT_MAX: "0" }, { dataDir: tmp() })).toThrow(
      /TWO_FACTOR_RATE_LIMIT_MAX/,
    );
  });

  it("derives its URL (issuer, audience) from HOST and PORT when BETTER_AUTH_URL is unset", () => {
    expect(loadConfig({ PORT: "4210" }, { dataDir: tmp() }).jwt).toMatchObject({
      issuer: "http://127.0.0.1:4210",
      audience: "http://127.0.0.1:4210",
    });
    expect(loadConfig({ PORT: "4210", HOST: "0.0.0.0" }, { dataDir: tmp() }).baseURL).toBe("http://127.0.0.1:4210");
    expect(loadConfig({ PORT: "4210", HOST: "localhost" }, { dataDir: tmp() }).baseURL).toBe("http://localhost:4210");
    expect(loadConfig({ PORT: "4210", BETTER_AUTH_URL: "https://auth.example.test" }, { dataDir: tmp() }).baseURL).toBe(
      "https://auth.example.test",
    );
  });

  it("started with PORT and no BETTER_AUTH_URL, signs for its own address and says so on start-up", async () => {
    const dataDir = tmp();
    const server = await spawnAuthServer({ BETTER_AUTH_URL: "", LOG_LEVEL: "info", DATA_DIR: dataDir });
    try {
      const { sessionToken } = await signUp(server.url, newUser("port"));
      const claims = decodeJwt(await fetchJwt(server.url, sessionToken));
      expect(claims.iss).toBe(server.url);
      expect(claims.aud).toBe(server.url);
      const listening = server
        .stdout()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.msg === "listening");
      expect(listening).toMatchObject({ issuer: server.url, audience: server.url });
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("generates a development secret once, mode 0600, and reuses it", () => {
    const dataDir = tmp();
    const first = loadConfig({}, { dataDir });
    const second = loadConfig({}, { dataDir });
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(second.secret).toBe(first.secret);
    expect(fs.statSync(path.join(dataDir, "secret")).mode & 0o777).toBe(0o600);
  });

  it.each([
    [{ PORT: "seventy" }, /PORT/],
    [{ JWT_TTL_SECONDS: "-5" }, /JWT_TTL_SECONDS/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    [{ AUTH_DATABASE_URL: "mysql://x" }, /AUTH_DATABASE_URL/],
    [{ BETTER_AUTH_URL: "not a url" }, /BETTER_AUTH_URL/],
    [{ NODE_ENV: "production", BETTER_AUTH_SECRET: "short" }, /at least 32/],
    [{ BETTER_AUTH_SECRETS: "nonsense" }, /BETTER_AUTH_SECRETS/],
  ])("names the bad variable in %j", (env, message) => {
    expect(() => loadConfig(env, { dataDir: tmp() })).toThrowError(ConfigError);
    expect(() => loadConfig(env, { dataDir: tmp() })).toThrowError(message);
  });

  it("accepts versioned secrets, the first being current", () => {
    const a = "a".repeat(32);
    const b = "b".repeat(32);
    const config = loadConfig(
      { NODE_ENV: "production", BETTER_AUTH_SECRETS: `2:${b},1:${a}`, REQUIRE_EMAIL_VERIFICATION: "false" },
      { dataDir: tmp() },
    );
    expect(config.secret).toBe(b);
    expect(config.secrets).toEqual([
      { version: 2, value: b },
      { version: 1, value: a },
    ]);
  });

  it("splits JWT_AUDIENCE and TRUSTED_ORIGINS lists", () => {
    const config = loadConfig(
      { JWT_AUDIENCE: "a, b", TRUSTED_ORIGINS: "https://x.test/path, https://y.test" },
      { dataDir: tmp() },
    );
    expect(config.jwt.audience).toEqual(["a", "b"]);
    expect(config.trustedOrigins).toEqual(["http://127.0.0.1:3000", "https://x.test", "https://y.test"]);
  });
});

describe("production start-up", () => {
  it("exits non-zero with a one-line reason when BETTER_AUTH_SECRET is missing", async () => {
    const dir = tmp();
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", DATA_DIR: dir, PORT: "0" };
    delete env.BETTER_AUTH_SECRET;
    delete env.BETTER_AUTH_SECRETS;
    const result = await run(process.execPath, [tsx, main], { env, cwd: dir }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/BETTER_AUTH_SECRET is required in production/);
    expect(fs.existsSync(path.join(dir, "secret"))).toBe(false);
  });
});

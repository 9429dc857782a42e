/** Options: defaults, env names of the contract, and TypeErrors naming the wrong option. */
import { createVerifier, optionsFromEnv, verifierFromEnv } from "@authbridge/verifier";
import { describe, expect, it } from "vitest";
// Internals, tested where they live.
import { DEFAULTS, resolveOptions } from "../src/options.js";

const base = {
  jwksUrl: "http://127.0.0.1:3000/.well-known/jwks.json",
  revocationUrl: "http://127.0.0.1:3000/api/auth/revocations",
  issuer: "i",
  audience: "a",
};

describe("resolveOptions", () => {
  it("applies the contract's defaults", () => {
    const options = resolveOptions(base);
    expect([...options.algorithms]).toEqual(["EdDSA", "Ed25519"]);
    expect(options.leewaySeconds).toBe(5);
    expect(options.jwksCacheSeconds).toBe(300);
    expect(options.jwksCooldownSeconds).toBe(30);
    expect(options.jwksMaxStaleSeconds).toBe(86_400);
    expect(options.jwksTimeoutSeconds).toBe(5);
    expect(options.tokenCacheSize).toBe(DEFAULTS.tokenCacheSize);
    expect(options.revocationUrl?.href).toBe("http://127.0.0.1:3000/api/auth/revocations");
    expect(options.revocationPollSeconds).toBe(5);
    expect(options.revocationMaxStaleSeconds).toBe(300);
    expect(options.revocationTimeoutSeconds).toBe(2);
    expect(Object.isFrozen(options)).toBe(true);
  });

  it("derives the revocation feed from serverUrl, and turns it off only when asked or for a static key set", () => {
    expect(resolveOptions({ serverUrl: "https://auth.example.com/" }).revocationUrl?.href).toBe(
      "https://auth.example.com/api/auth/revocations",
    );
    expect(resolveOptions({ serverUrl: "https://a.example", revocationUrl: false }).revocationUrl).toBeUndefined();
    const off = optionsFromEnv({ AUTH_SERVER_URL: "https://a.example", AUTH_REVOCATION_URL: "OFF" });
    expect(resolveOptions(off).revocationUrl).toBeUndefined();
    const fixed = resolveOptions({ jwks: { keys: [] }, issuer: "i", audience: "a" });
    expect([fixed.revocationUrl, fixed.revocationList]).toEqual([undefined, undefined]);
    const listed = optionsFromEnv({
      AUTH_SERVER_URL: "https://a.example",
      AUTH_REVOCATION_LIST: '{"sessions":["s1"]}',
    });
    expect(resolveOptions(listed)).toMatchObject({ revocationUrl: undefined, revocationList: { sessions: ["s1"] } });
  });

  it("asks for the revocation feed (or off) with a jwksUrl alone", () => {
    const { revocationUrl: _r, ...alone } = base;
    expect(() => resolveOptions(alone)).toThrow(/revocationUrl is required with a jwksUrl alone/);
    expect(() => optionsFromEnv({ AUTH_SERVER_URL: "http://x", AUTH_REVOCATION_LIST: "{" })).toThrow(
      /AUTH_REVOCATION_LIST must be a JSON revocation list/,
    );
  });

  it.each([
    [{ algorithms: ["HS256"] }, /algorithms/],
    [{ algorithms: ["EdDSA", "none"] }, /algorithms/],
    [{ audience: "" }, /audience/],
    [{ issuer: "" }, /issuer/],
    [{ jwksUrl: undefined }, /jwksUrl/],
    [{ jwksUrl: "not a url" }, /jwksUrl/],
    [{ jwksUrl: "file:///etc/passwd" }, /jwksUrl/],
    [{ leewaySeconds: -1 }, /leewaySeconds/],
    [{ revocationUrl: "file:///etc/passwd" }, /revocationUrl/],
    [{ revocationPollSeconds: 0 }, /revocationPollSeconds/],
    [{ revocationMaxStaleSeconds: -1 }, /revocationMaxStaleSeconds/],
    [{ revocationTimeoutSeconds: 0 }, /revocationTimeoutSeconds/],
    [{ jwksTimeoutSeconds: 0 }, /jwksTimeoutSeconds/],
    [{ tokenCacheSize: 1.5 }, /tokenCacheSize/],
  ])("%j is a TypeError naming the option", (overrides, message) => {
    expect(() => createVerifier({ ...base, ...overrides } as never)).toThrow(TypeError);
    expect(() => createVerifier({ ...base, ...overrides } as never)).toThrow(message);
  });
});

describe("optionsFromEnv", () => {
  it("reads the AUTH_* variables", () => {
    const options = resolveOptions(
      optionsFromEnv({
        AUTH_JWKS_URL: "http://127.0.0.1:3000/.well-known/jwks.json",
        AUTH_REVOCATION_URL: "http://127.0.0.1:3000/api/auth/revocations",
        AUTH_REVOCATION_POLL_SECONDS: "3",
        AUTH_ISSUER: "http://127.0.0.1:3000",
        AUTH_AUDIENCE: "a, b",
        AUTH_ALGORITHMS: "EdDSA",
        AUTH_LEEWAY_SECONDS: "2",
        AUTH_JWKS_CACHE_SECONDS: "120",
        AUTH_JWKS_COOLDOWN_SECONDS: "10",
        AUTH_JWKS_MAX_STALE_SECONDS: "3600",
        AUTH_JWKS_TIMEOUT_SECONDS: "1.5",
        AUTH_TOKEN_CACHE_SIZE: "0",
      }),
    );
    expect([...options.audiences]).toEqual(["a", "b"]);
    expect([...options.algorithms]).toEqual(["EdDSA"]);
    expect(options).toMatchObject({
      issuer: "http://127.0.0.1:3000",
      leewaySeconds: 2,
      jwksCacheSeconds: 120,
      jwksCooldownSeconds: 10,
      jwksMaxStaleSeconds: 3600,
      jwksTimeoutSeconds: 1.5,
      tokenCacheSize: 0,
    });
  });

  it("fails at build time naming the environment variable", () => {
    expect(() => verifierFromEnv({})).toThrow("authbridge: AUTH_JWKS_URL is required");
    expect(() => verifierFromEnv({ AUTH_JWKS_URL: base.jwksUrl, AUTH_AUDIENCE: "a" })).toThrow(
      "authbridge: AUTH_ISSUER is required",
    );
    expect(() => verifierFromEnv({ ...env(), AUTH_LEEWAY_SECONDS: "soon" })).toThrow(/AUTH_LEEWAY_SECONDS/);
    expect(() => verifierFromEnv({ ...env(), AUTH_LEEWAY_SECONDS: "900" })).toThrow(/^authbridge: AUTH_LEEWAY_SECONDS/);
    expect(() => verifierFromEnv({ AUTH_SERVER_URL: "ftp://auth" })).toThrow(/AUTH_SERVER_URL/);
  });

  it("derives the JWKS URL, issuer and audience from AUTH_SERVER_URL alone", () => {
    const options = optionsFromEnv({ AUTH_SERVER_URL: "https://auth.example.com/" });
    expect(options).toMatchObject({
      jwksUrl: "https://auth.example.com/api/auth/jwks",
      issuer: "https://auth.example.com",
      audience: "https://auth.example.com",
    });
    const overridden = optionsFromEnv({ AUTH_SERVER_URL: "https://auth.example.com", AUTH_AUDIENCE: "task-api" });
    expect(overridden.audience).toBe("task-api");
  });

  it("reads a static key set from AUTH_JWKS", () => {
    const jwks = { keys: [{ kty: "OKP", crv: "Ed25519", x: "x", kid: "k" }] };
    expect(optionsFromEnv({ AUTH_JWKS: JSON.stringify(jwks), AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" }).jwks).toEqual(
      jwks,
    );
    expect(() => optionsFromEnv({ AUTH_JWKS: "{not json" })).toThrow(/AUTH_JWKS/);
  });
});

const env = () => ({ AUTH_JWKS_URL: base.jwksUrl, AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" });

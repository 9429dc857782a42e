/**
 * Test helpers for services that use @authbridge/verifier: real Ed25519 tokens through the real
 * verifier, as `authbridge.testing` does for Python.
 *
 * @example
 * import { configureEnv, makeToken } from "@authbridge/verifier/testing";
 * configureEnv();                                   // before verifierFromEnv(process.env)
 * const headers = { authorization: `Bearer ${makeToken("user-1")}` };
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { MiddlewareHandler } from "hono";
import { type Principal, principalFromClaims } from "./principal.js";

/** Issuer and audience that `configureEnv` sets unless told otherwise. */
export const TEST_ISSUER = "https://auth.authbridge.test";
export const TEST_AUDIENCE = "authbridge-test";

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK an auth server would publish. */
  readonly jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA" };
  /** `{ keys: [jwk] }`. */
  readonly jwks: { keys: TestKey["jwk"][] };
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A throw-away Ed25519 key pair with a random `kid`. */
export function generateTestKey(kid = `test-${randomUUID().slice(0, 12)}`): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x as string;
  const jwk = { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA" } as const;
  return Object.freeze({ kid, privateKey, jwk, jwks: { keys: [jwk] } });
}

let defaultKey: TestKey | undefined;
let defaults = { issuer: TEST_ISSUER, audience: TEST_AUDIENCE };

/**
 * Points the verifier's `AUTH_*` settings at a test key: `AUTH_JWKS` (its public JWKS),
 * `AUTH_ISSUER`, `AUTH_AUDIENCE`; clears `AUTH_SERVER_URL` and `AUTH_JWKS_URL` so no real
 * server is asked. Returns the key, which `makeToken` then uses by default.
 */
export function configureEnv(
  options: { key?: TestKey; issuer?: string; audience?: string; env?: Record<string, string | undefined> } = {},
): TestKey {
  const key = options.key ?? generateTestKey();
  const env = options.env ?? process.env;
  delete env.AUTH_SERVER_URL;
  delete env.AUTH_JWKS_URL;
  env.AUTH_JWKS = JSON.stringify(key.jwks);
  defaults = { issuer: options.issuer ?? TEST_ISSUER, audience: options.audience ?? TEST_AUDIENCE };
  env.AUTH_ISSUER = defaults.issuer;
  env.AUTH_AUDIENCE = defaults.audience;
  defaultKey = key;
  return key;
}

/**
 * A valid token for `sub`; any claim can be overridden (`{ exp: 0 }`) or dropped (`undefined`).
 * Issuer and audience default to what `configureEnv` set (the first audience of a list).
 */
export function makeToken(
  sub = "user-1",
  claims: Record<string, unknown> = {},
  options: { key?: TestKey } = {},
): string {
  const key = options.key ?? defaultKey;
  if (!key) throw new Error("@authbridge/verifier/testing: call configureEnv() first, or pass { key }");
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    sub,
    email: `${sub}@example.test`,
    name: sub,
    email_verified: true,
    iat: now,
    exp: now + 900,
    iss: defaults.issuer,
    aud: defaults.audience.split(",")[0]?.trim(),
    ...claims,
  };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  const input = `${b64json({ alg: "EdDSA", kid: key.kid })}.${b64json(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key.privateKey).toString("base64url")}`;
}

/** `{ authorization: "Bearer <makeToken(sub, claims)>" }`. */
export function authHeaders(sub = "user-1", claims: Record<string, unknown> = {}): Record<string, string> {
  return { authorization: `Bearer ${makeToken(sub, claims)}` };
}

/**
 * Hono middleware that lets every request in as `user` (a principal or a user id), without a
 * token: for tests that are about something else. Python: `override_current_user(app, user)`.
 *
 * @example
 * app.use("/api/*", actingAs("user-1"));
 */
export function actingAs(user: Principal | string, claims: Record<string, unknown> = {}): MiddlewareHandler {
  const principal = typeof user === "string" ? principalFromClaims({ sub: user, ...claims } as never) : user;
  return async (c, next) => {
    c.set("user", principal);
    await next();
  };
}

/** A real JWKS endpoint on 127.0.0.1 serving `keys`, for rotation or outage tests. */
export async function serveJwks(...keys: TestKey[]): Promise<{ url: string; keys: TestKey[]; close(): Promise<void> }> {
  const state = { keys: [...keys] };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=300" });
    res.end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    keys: state.keys,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

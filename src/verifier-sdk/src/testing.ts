/**
 * Test helpers for services that use @authbridge/verifier: real Ed25519 tokens through the real
 * verifier, as `authbridge.testing` does for Python.
 *
 * @example
 * import { configureEnv, makeToken } from "@authbridge/verifier/testing";
 * configureEnv();                                   // before verifierFromEnv(process.env)
 * const headers = { authorization: `Bearer ${makeToken("user-1")}` };
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { MiddlewareHandler } from "hono";
import { type Principal, principalFromClaims } from "./principal.js";

/**
 * Issuer and audience that `configureEnv` sets unless told otherwise.
 *
 * @example
 * createVerifier({ jwksUrl: jwks.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
 */
export const TEST_ISSUER = "https://auth.authbridge.test";
/**
 * The audience `configureEnv` sets and `makeToken` signs for, unless told otherwise.
 *
 * @example
 * createVerifier({ jwksUrl: jwks.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
 */
export const TEST_AUDIENCE = "authbridge-test";

/**
 * A throw-away Ed25519 key pair (`generateTestKey`), as Python's `authbridge.testing.TestKey`.
 *
 * @example
 * const jwks = await serveJwks(generateTestKey());
 */
export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK an auth server would publish. */
  readonly jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA" };
  /** `{ keys: [jwk] }`. */
  readonly jwks: { keys: TestKey["jwk"][] };
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * A throw-away Ed25519 key pair with a random `kid`.
 *
 * @example
 * const key = generateTestKey("key-1");
 * const token = makeToken("user-1", {}, { key });
 */
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
 * `AUTH_ISSUER`, `AUTH_AUDIENCE`; clears `AUTH_SERVER_URL`, `AUTH_JWKS_URL` and the
 * `AUTH_REVOCATION_*` feed settings so no real server is asked. Returns the key, which `makeToken` then uses by default.
 *
 * @example
 * configureEnv(); // then verifierFromEnv(process.env) trusts the test key
 */
export function configureEnv(
  options: { key?: TestKey; issuer?: string; audience?: string; env?: Record<string, string | undefined> } = {},
): TestKey {
  const key = options.key ?? generateTestKey();
  const env = options.env ?? process.env;
  delete env.AUTH_SERVER_URL;
  delete env.AUTH_JWKS_URL;
  delete env.AUTH_REVOCATION_URL;
  delete env.AUTH_REVOCATION_LIST;
  env.AUTH_JWKS = JSON.stringify(key.jwks);
  defaults = { issuer: options.issuer ?? TEST_ISSUER, audience: options.audience ?? TEST_AUDIENCE };
  env.AUTH_ISSUER = defaults.issuer;
  env.AUTH_AUDIENCE = defaults.audience;
  defaultKey = key;
  return key;
}

/** `payload` (undefined members dropped) signed by `key`, or the default key of `configureEnv`. */
function signWith(key: TestKey | undefined, payload: Record<string, unknown>, header: Record<string, string> = {}) {
  const signer = key ?? defaultKey;
  if (!signer) throw new Error("@authbridge/verifier/testing: call configureEnv() first, or pass { key }");
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  const input = `${b64json({ alg: "EdDSA", kid: signer.kid, ...header })}.${b64json(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), signer.privateKey).toString("base64url")}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const defaultAudience = () => defaults.audience.split(",")[0]?.trim();

/**
 * A valid token for `sub`; any claim can be overridden (`{ exp: 0 }`) or dropped (`undefined`).
 * Issuer and audience default to what `configureEnv` set (the first audience of a list); `sid`
 * is a random session id unless given (name one to revoke it in a `revocationList`).
 *
 * @example
 * makeToken("user-1", { role: "admin" }); // or { exp: 0 } for an expired one
 */
export function makeToken(
  sub = "user-1",
  claims: Record<string, unknown> = {},
  options: { key?: TestKey } = {},
): string {
  const now = nowSeconds();
  return signWith(options.key, {
    sub,
    email: `${sub}@example.test`,
    name: sub,
    email_verified: true,
    iat: now,
    exp: now + 900,
    iss: defaults.issuer,
    aud: defaultAudience(),
    sid: randomBytes(16).toString("base64url"),
    ...claims,
  });
}

/**
 * A valid machine client token (RFC 9068: `typ: at+jwt`, `sub` = `client_id`, the granted
 * `scope`), as the auth server's token endpoint issues one; claims as `makeToken`.
 *
 * @example
 * makeClientToken("reports", "tasks:read:any");
 */
export function makeClientToken(
  clientId = "client_test",
  scope?: string,
  claims: Record<string, unknown> = {},
  options: { key?: TestKey } = {},
): string {
  const now = nowSeconds();
  const payload = {
    iss: defaults.issuer,
    sub: clientId,
    aud: defaultAudience(),
    client_id: clientId,
    scope,
    iat: now,
    exp: now + 3600,
    jti: randomBytes(16).toString("base64url"),
    ...claims,
  };
  return signWith(options.key, payload, { typ: "at+jwt" });
}

/**
 * `{ authorization: "Bearer <makeToken(sub, claims)>" }`.
 *
 * @example
 * await app.request("/api/me", { headers: authHeaders("user-1") });
 */
export function authHeaders(sub = "user-1", claims: Record<string, unknown> = {}): Record<string, string> {
  return { authorization: `Bearer ${makeToken(sub, claims)}` };
}

/**
 * Hono middleware that lets every request in as `user` (a principal or a user id), without a
 * token: for tests that are about something else. Python: `acting_as(app, user)`.
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

/**
 * A real JWKS endpoint on loopback whose answers a test controls. Python: `authbridge.testing.JwksServer`.
 *
 * @example
 * const jwks = await serveJwks(key);
 * jwks.keys.push(generateTestKey()); // a rotation
 * jwks.status = 503;               // an outage
 */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json`. */
  readonly url: string;
  /**
   * `http://127.0.0.1:<port>/api/auth/revocations`: a revocation feed (CONTRACT §8) listing
   * `revokedSessions` and `revokedClients`, with an ETag and 304s, as the auth server serves it.
   */
  readonly revocationUrl: string;
  /** `sid` values the feed lists: push one to end that session. */
  revokedSessions: string[];
  /** `client_id` values the feed lists. */
  revokedClients: string[];
  /** The feed's `not_before`. @default 0 */
  notBefore: number;
  /** Anything but 200 answers the feed with that status (a feed outage). @default 200 */
  revocationStatus: number;
  /** How many feed requests it has answered (304s included). */
  readonly revocationFetches: number;
  /** The keys it publishes: change the array (push, splice) to rotate. */
  keys: TestKey[];
  /** Entries published after `keys` as they are (a malformed key, an RSA key). */
  extraKeys: unknown[];
  /** The `Cache-Control` header, or `undefined` for none. @default "public, max-age=300" */
  cacheControl: string | undefined;
  /** Anything but 200 answers that status with an empty body (an outage). @default 200 */
  status: number;
  /** How long each answer waits, in milliseconds (a slow server). @default 0 */
  delayMs: number;
  /** How many requests it has answered. */
  readonly fetches: number;
  close(): Promise<void>;
}

/**
 * A real JWKS endpoint on 127.0.0.1 serving `keys`, for rotation or outage tests.
 *
 * @example
 * const key = generateTestKey();
 * const jwks = await serveJwks(key);
 * const verifier = createVerifier({ jwksUrl: jwks.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
 * jwks.status = 503; // the auth server goes down
 * await jwks.close();
 */
export async function serveJwks(...keys: TestKey[]): Promise<JwksServer> {
  let fetches = 0;
  let revocationFetches = 0;
  const server = http.createServer((req, res) => {
    if (req.url === REVOCATIONS_PATH) {
      revocationFetches += 1;
      setTimeout(() => serveRevocations(state, req, res), state.delayMs);
      return;
    }
    fetches += 1;
    setTimeout(() => {
      if (state.status !== 200) {
        res.writeHead(state.status, { "content-length": "0" }).end();
        return;
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (state.cacheControl) headers["cache-control"] = state.cacheControl;
      res.writeHead(200, headers).end(JSON.stringify({ keys: [...state.keys.map((k) => k.jwk), ...state.extraKeys] }));
    }, state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const state: JwksServer = {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    revocationUrl: `http://127.0.0.1:${port}${REVOCATIONS_PATH}`,
    revokedSessions: [],
    revokedClients: [],
    notBefore: 0,
    revocationStatus: 200,
    get revocationFetches() {
      return revocationFetches;
    },
    keys: [...keys],
    extraKeys: [],
    cacheControl: "public, max-age=300",
    status: 200,
    delayMs: 0,
    get fetches() {
      return fetches;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

const REVOCATIONS_PATH = "/api/auth/revocations";

function serveRevocations(state: JwksServer, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (state.revocationStatus !== 200) {
    res.writeHead(state.revocationStatus, { "content-length": "0" }).end();
    return;
  }
  const body = JSON.stringify({
    sessions: [...state.revokedSessions].sort(),
    clients: [...state.revokedClients].sort(),
    not_before: state.notBefore,
  });
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const headers = { "content-type": "application/json", "cache-control": "public, max-age=1", etag };
  if (req.headers["if-none-match"] === etag) res.writeHead(304, headers).end();
  else res.writeHead(200, headers).end(body);
}

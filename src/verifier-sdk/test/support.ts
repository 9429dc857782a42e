/**
 * Test support: Ed25519 keys, token builders by intent, a real JWKS server on loopback whose
 * answers a test controls, and a clock a test moves by hand.
 */
import { createHmac, createPrivateKey, sign } from "node:crypto";
import { AuthError, createVerifier, type Verifier, type VerifierOptions } from "@authbridge/verifier";
import { generateTestKey, type JwksServer, serveJwks, type TestKey } from "@authbridge/verifier/testing";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

export const ISSUER = "https://auth.authbridge.test";
export const AUDIENCE = "task-api";
/** Removes a claim or header member in the builders. */
export const DROP = Symbol("drop");

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
export const b64json = (value: unknown) => b64url(JSON.stringify(value));

export type { JwksServer, TestKey };

let counter = 0;
/** The public test key (`@authbridge/verifier/testing`), with a kid unique to this run unless given. */
export function newKey(kid?: string): TestKey {
  counter += 1;
  return generateTestKey(kid ?? `kid-${process.pid}-${counter}`);
}

/** A JWKS server publishing `keys` (the public `serveJwks`). */
export const startJwksServer = (keys: TestKey[]): Promise<JwksServer> => serveJwks(...keys);

type Overrides = Record<string, unknown>;

function apply(base: Record<string, unknown>, overrides: Overrides = {}): Record<string, unknown> {
  const out = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === DROP) delete out[name];
    else out[name] = value;
  }
  return out;
}

/** Claims as the auth server issues them, at `now` (seconds). */
export function claimsFor(sub: string | typeof DROP = "user-1", now = Date.now() / 1000, overrides: Overrides = {}) {
  const base: Record<string, unknown> = {
    sub,
    email: `${String(sub)}@example.test`,
    name: `User ${String(sub)}`,
    email_verified: true,
    iat: Math.floor(now),
    exp: Math.floor(now) + 900,
    iss: ISSUER,
    aud: AUDIENCE,
    // As the auth server issues them: the session the token belongs to (CONTRACT §8).
    sid: `session-${String(sub)}`,
  };
  if (sub === DROP) delete base.sub;
  return apply(base, overrides);
}

export interface TokenSpec {
  claims?: Record<string, unknown>;
  header?: Overrides;
  alg?: unknown;
  kid?: unknown;
  signature?: Buffer;
}

/** A compact JWS signed with `key`; `header` entries override the defaults, DROP removes one. */
export function signTestToken(key: TestKey, spec: TokenSpec = {}): string {
  const header = apply({ alg: spec.alg ?? "EdDSA", kid: "kid" in spec ? spec.kid : key.kid }, spec.header);
  if (header.kid === undefined) delete header.kid;
  const input = `${b64json(header)}.${b64json(spec.claims ?? claimsFor())}`;
  const signature = spec.signature ?? sign(null, Buffer.from(input), key.privateKey);
  return `${input}.${b64url(signature)}`;
}

export function hs256(secret: Buffer | string, header: Record<string, unknown>, claims: Record<string, unknown>) {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

export class FakeClock {
  /** Milliseconds. */
  ms = 1_800_000_000_000;
  get seconds(): number {
    return this.ms / 1000;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  readonly now = () => this.ms;
}

export function makeVerifier(jwks: JwksServer, clock: FakeClock, overrides: Partial<VerifierOptions> = {}): Verifier {
  return createVerifier({
    jwksUrl: jwks.url,
    // The JWKS cache's own tests: revocation has its own (revocation.test.ts).
    revocationUrl: false,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: clock.now,
    ...overrides,
  });
}

/** The code a verification fails with, or "ok". */
export async function outcome(verifier: Verifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
    return "ok";
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
}

export const RFC8037 = {
  privateJwk: {
    kty: "OKP",
    crv: "Ed25519",
    d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
  },
  jws: "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
  privateKey: () => createPrivateKey({ key: RFC8037.privateJwk, format: "jwk" }),
};

/**
 * A signing key and a real JWKS server for it, started before the file's tests and closed after.
 *
 * @example
 * const server = useJwksServer();
 * it("…", () => createVerifier({ jwksUrl: server.jwks.url, … }));
 */
export function useJwksServer(kid = "key-1"): { readonly key: TestKey; readonly jwks: JwksServer } {
  const state = {} as { key: TestKey; jwks: JwksServer };
  beforeAll(async () => {
    state.key = newKey(kid);
    state.jwks = await startJwksServer([state.key]);
  });
  afterAll(async () => state.jwks?.close());
  return state;
}

export interface KeyAndJwks {
  readonly key: TestKey;
  readonly jwks: JwksServer;
  readonly clock: FakeClock;
}

/**
 * A key (`key-1`) and its JWKS server, new for every test (`"each"`) or once for the file
 * (`"all"`), closed after; and a fake clock, new with them when `freshClock`, else one for the file.
 *
 * @example
 * const fx = useKeyAndJwks("each", { freshClock: true });
 * it("…", () => makeVerifier(fx.jwks, fx.clock));
 */
export function useKeyAndJwks(scope: "each" | "all", { freshClock = false } = {}): KeyAndJwks {
  const state = { clock: new FakeClock() } as { key: TestKey; jwks: JwksServer; clock: FakeClock };
  const [before, after] = scope === "each" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    state.key = newKey("key-1");
    state.jwks = await startJwksServer([state.key]);
    if (freshClock) state.clock = new FakeClock();
  });
  after(async () => state.jwks?.close());
  return state;
}

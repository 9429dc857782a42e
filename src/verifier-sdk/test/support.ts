/**
 * Test support: Ed25519 keys, token builders by intent, a real JWKS server on loopback whose
 * answers a test controls, and a clock a test moves by hand.
 */
import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AuthError, createVerifier, type Verifier, type VerifierOptions } from "@authbridge/verifier";
import { afterAll, beforeAll } from "vitest";

export const ISSUER = "https://auth.authbridge.test";
export const AUDIENCE = "task-api";
/** Removes a claim or header member in the builders. */
export const DROP = Symbol("drop");

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
export const b64json = (value: unknown) => b64url(JSON.stringify(value));

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  x: string;
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA" };
}

let counter = 0;
export function newKey(kid?: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x as string;
  counter += 1;
  const id = kid ?? `kid-${process.pid}-${counter}`;
  return { kid: id, privateKey, x, jwk: { kty: "OKP", crv: "Ed25519", x, kid: id, alg: "EdDSA" } };
}

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

export class JwksServer {
  keys: TestKey[];
  extraKeys: unknown[] = [];
  cacheControl: string | undefined = "public, max-age=300";
  status = 200;
  delayMs = 0;
  fetches = 0;
  url = "";
  private server = http.createServer((_req, res) => {
    this.fetches += 1;
    setTimeout(() => {
      if (this.status !== 200) {
        res.writeHead(this.status, { "content-length": "0" }).end();
        return;
      }
      const body = JSON.stringify({ keys: [...this.keys.map((k) => k.jwk), ...this.extraKeys] });
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (this.cacheControl) headers["cache-control"] = this.cacheControl;
      res.writeHead(200, headers).end(body);
    }, this.delayMs);
  });

  constructor(keys: TestKey[]) {
    this.keys = [...keys];
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
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
  return createVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, now: clock.now, ...overrides });
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
    state.jwks = await new JwksServer([state.key]).start();
  });
  afterAll(async () => state.jwks?.close());
  return state;
}

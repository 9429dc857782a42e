/** The vectors' fixed keys, claims and token builders (generate.ts, client-vectors.ts). */
import { createHmac, createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";

export const NOW = 1_800_000_000;
/** The `sid` of the vectors' user tokens (CONTRACT §8). */
export const SESSION = "session-1";
export const ISSUER = "https://auth.authbridge.test";
export const AUDIENCE = "task-api";

export interface FixedKey {
  kid: string;
  private: KeyObject;
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA" };
}

export function fixedKey(kid: string, seedByte: number): FixedKey {
  const d = Buffer.alloc(32, seedByte).toString("base64url");
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(d, "base64url")]);
  const priv = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const x = createPublicKey(priv).export({ format: "jwk" }).x as string;
  return { kid, private: priv, jwk: { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA" } };
}

export const MAIN = fixedKey("main-key", 1);
export const OTHER = fixedKey("other-key", 2);
export const ATTACKER = fixedKey("main-key", 3);
export const JWKS = { keys: [MAIN.jwk] };
export const TWO_KEYS = { keys: [MAIN.jwk, OTHER.jwk] };

export const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64url");
export const b64json = (value: unknown) => b64(JSON.stringify(value));

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    sub: "user-1",
    email: "user-1@example.test",
    name: "User One",
    email_verified: true,
    iat: NOW - 10,
    exp: NOW + 900,
    iss: ISSUER,
    aud: AUDIENCE,
    sid: SESSION,
  };
  return withOverrides(base, overrides);
}

/** `base` with `overrides` applied: a value replaces the claim, `undefined` drops it. */
export function withOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

export function jws(
  key: FixedKey,
  payload: Record<string, unknown> | string,
  header: Record<string, unknown> | string = { alg: "EdDSA", kid: key.kid },
): string {
  const input = `${typeof header === "string" ? header : b64json(header)}.${typeof payload === "string" ? payload : b64json(payload)}`;
  return `${input}.${b64(sign(null, Buffer.from(input), key.private))}`;
}

/** A header whose member `x` nests `depth` arrays (or objects) below the top object. */
export function nested(open: "[" | "{", depth: number): string {
  const inner = open === "[" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;
  return b64(`{"alg":"EdDSA","kid":"${MAIN.kid}","x":${inner}}`);
}

export function withSignature(token: string, signature: Buffer | string): string {
  const [h, p] = token.split(".");
  return `${h}.${p}.${typeof signature === "string" ? signature : b64(signature)}`;
}

export function hs256(secret: Buffer | string): string {
  const input = `${b64json({ alg: "HS256", kid: MAIN.kid })}.${b64json(claims())}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/**
 * Checks applied after verification (CONTRACT §3, §6, §7), in this order: a route for people
 * only (`user`: a client is `user_required`), roles any-of, permissions all-of (a client's
 * scopes), then the sign-in (`mfa`, `maxAge`: a client is `user_required`).
 */
export interface Requirement {
  user?: boolean;
  roles?: string[];
  permissions?: string[];
  /** Then the sign-in (CONTRACT §7): a second factor (`amr` holds `mfa`), at most `maxAge` seconds old. */
  mfa?: boolean;
  maxAge?: number;
}

/** The revocation feed a vector's verifier follows (a static list); none: revocation off. */
export interface Revocations {
  sessions?: string[];
  clients?: string[];
  not_before?: number;
}

export interface Vector {
  name: string;
  token: string;
  jwks: { keys: unknown[] };
  revocations?: Revocations;
  now: number;
  issuer: string;
  audience: string;
  require?: Requirement;
  expect:
    | {
        ok: true;
        sub: string;
        kind: "user" | "client";
        client_id: string | null;
        scopes: string[];
        roles: string[];
        permissions: string[];
        amr: string[];
        auth_time: number | null;
      }
    | { code: string; challenge?: string };
}

export type Expect =
  | {
      ok: true;
      sub?: string;
      kind?: "user" | "client";
      client_id?: string | null;
      scopes?: string[];
      roles?: string[];
      permissions?: string[];
      amr?: string[];
      auth_time?: number | null;
    }
  | { code: string; challenge?: string };


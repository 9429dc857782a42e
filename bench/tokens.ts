/** One Ed25519 key and tokens signed with it, for the benches that need a valid JWT without an auth server. */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

export interface BenchKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as a JWKS entry (kid `bench`). */
  readonly jwk: { kty: string; crv: string; x: string; kid: string; alg: string };
  /** A compact JWS of `claims` (EdDSA, kid `bench`). */
  token(claims: Record<string, unknown>): string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function benchKey(): BenchKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = {
    ...(publicKey.export({ format: "jwk" }) as { kty: string; crv: string; x: string }),
    kid: "bench",
    alg: "EdDSA",
  };
  return {
    privateKey,
    publicKey,
    jwk,
    token: (claims) => {
      const input = `${b64({ alg: "EdDSA", kid: "bench" })}.${b64(claims)}`;
      return `${input}.${sign(null, Buffer.from(input), privateKey).toString("base64url")}`;
    },
  };
}

/** Claims valid for an hour, issued by `http://bench` for the audience `bench`. */
export function benchClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: "bench-user", iat: now, exp: now + 3600, iss: "http://bench", aud: "bench", ...extra };
}

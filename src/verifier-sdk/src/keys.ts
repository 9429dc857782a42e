/**
 * Ed25519 public keys ready to verify. On Node a `KeyObject` verified through `node:crypto`
 * (synchronous, about twice as fast as WebCrypto through jose); elsewhere a WebCrypto key.
 */
import { importJWK } from "jose";
import { nodeCrypto } from "./runtime.js";

export interface VerifyKey {
  /** The public key, base64url: lets a refreshed set reuse an already imported key. */
  readonly x: string;
  verify(data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** Imports the public half of an OKP/Ed25519 JWK; throws if `x` is not a valid key. */
export async function importEd25519(x: string): Promise<VerifyKey> {
  const jwk = { kty: "OKP", crv: "Ed25519", x };
  if (nodeCrypto) {
    const key = nodeCrypto.createPublicKey({ key: jwk, format: "jwk" });
    const { verify } = nodeCrypto;
    return {
      x,
      verify: (data, signature) => {
        try {
          return verify(null, data, key, signature);
        } catch {
          return false;
        }
      },
    };
  }
  const key = (await importJWK(jwk, "EdDSA")) as CryptoKey;
  return {
    x,
    verify: (data, signature) =>
      crypto.subtle
        .verify("Ed25519", key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)
        .catch(() => false),
  };
}

import { generateKeyPairSync, sign, verify } from "node:crypto";
import { createVerifier } from "@authbridge/verifier";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k", alg: "EdDSA" } as never;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const input = `${b64({ alg: "EdDSA", kid: "k" })}.${b64({ sub: "u", email: "u@x.t", name: "U", email_verified: true, iat: now, exp: now + 3600, iss: "i", aud: "a" })}`;
const sig = sign(null, Buffer.from(input), privateKey);
const token = `${input}.${sig.toString("base64url")}`;
const v = createVerifier({ jwks: { keys: [jwk] }, issuer: "i", audience: "a", tokenCacheSize: 0 });
await v.verify(token);
const inBytes = Buffer.from(input);
const N = 30000;
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  for (let i = 0; i < N; i++) verify(null, inBytes, publicKey, sig);
  const raw = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < N; i++) await v.verify(token);
  const ours = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < N; i++) await Promise.resolve(verify(null, inBytes, publicKey, sig));
  const rawAsync = performance.now() - t;
  console.log(
    `raw ${((N / raw) * 1000).toFixed(0)}/s rawAsync ${((N / rawAsync) * 1000).toFixed(0)}/s ours ${((N / ours) * 1000).toFixed(0)}/s ratio ${(raw / ours).toFixed(3)} vsAsync ${(rawAsync / ours).toFixed(3)}`,
  );
}

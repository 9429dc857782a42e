/**
 * `npm run vectors`: writes vectors.json, the shared test vectors both verifiers must agree
 * with (TypeScript: src/verifier-sdk/test/vectors.test.ts; Python: tests/test_vectors.py).
 * Keys come from fixed seeds and Ed25519 signatures are deterministic, so the output is
 * byte-stable: a test regenerates it and compares with the committed file.
 */
import { createPublicKey } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { clientVectors } from "./client-vectors.js";
import { revocationVectors } from "./revocation-vectors.js";
import { stepUpVectors } from "./step-up-vectors.js";
import {
  ATTACKER,
  AUDIENCE,
  b64,
  b64json,
  claims,
  type Expect,
  fixedKey,
  hs256,
  ISSUER,
  JWKS,
  jws,
  MAIN,
  NOW,
  nested,
  OTHER,
  type Requirement,
  type Revocations,
  TWO_KEYS,
  type Vector,
  withSignature,
} from "./fixtures.js";

export { AUDIENCE, ISSUER, NOW, type Requirement, type Vector };

export function buildVectors(): Vector[] {
  const valid = jws(MAIN, claims());
  const sig = valid.split(".")[2] as string;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const twin = alphabet[alphabet.indexOf(sig.at(-1) as string) ^ 1];
  const ok = { ok: true as const };

  const list: [string, string, Expect, { keys: unknown[] }?, Requirement?, Revocations?][] = [
    ["valid token", valid, ok],
    ["valid: alg Ed25519 (RFC 9864)", jws(MAIN, claims(), { alg: "Ed25519", kid: MAIN.kid }), ok],
    ["valid: header nested 32 deep (the limit)", jws(MAIN, claims(), nested("[", 31)), ok],
    ["valid: typ JWT", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, typ: "JWT" }), ok],
    ["valid: no kid, one key in the set", jws(MAIN, claims(), { alg: "EdDSA" }), ok],
    ["valid: aud array holding the audience", jws(MAIN, claims({ aud: ["other", AUDIENCE] })), ok],
    ["valid: exp 4 s ago, within 5 s leeway", jws(MAIN, claims({ exp: NOW - 4 })), ok],
    ["valid: nbf 5 s ahead, within leeway", jws(MAIN, claims({ nbf: NOW + 5 })), ok],
    ["valid: iat 5 s ahead, within leeway", jws(MAIN, claims({ iat: NOW + 5 })), ok],
    ["valid: fractional exp", jws(MAIN, claims({ exp: NOW + 0.5 + 900 })), ok],
    ["valid: second key of two", jws(OTHER, claims()), ok, TWO_KEYS],
    ["valid: unknown extra claims", jws(MAIN, claims({ department: "sales", nested: { a: [1] } })), ok],

    ["malformed: two parts", valid.split(".").slice(0, 2).join("."), { code: "malformed_token" }],
    ["malformed: four parts", `${valid}.x`, { code: "malformed_token" }],
    ["malformed: empty", "", { code: "malformed_token" }],
    ["malformed: dots only", "..", { code: "malformed_token" }],
    ["malformed: header not base64url", `!!${valid.slice(2)}`, { code: "malformed_token" }],
    ["malformed: padded base64", `${valid.split(".")[0]}=.${valid.split(".").slice(1).join(".")}`, { code: "malformed_token" }],
    ["malformed: standard base64 alphabet", valid.replace(/-/g, "+").replace(/_/g, "/") === valid ? `${valid.slice(0, -1)}+` : valid.replace(/-/g, "+").replace(/_/g, "/"), { code: "malformed_token" }],
    ["malformed: header not JSON", `${b64("{alg")}.${b64json(claims())}.${sig}`, { code: "malformed_token" }],
    ["malformed: header is an array", jws(MAIN, claims(), ["EdDSA"] as never), { code: "malformed_token" }],
    ["malformed: payload is a string", jws(MAIN, b64json("user-1")), { code: "malformed_token" }],
    ["malformed: payload not UTF-8", jws(MAIN, b64(Buffer.from([0x7b, 0xff, 0x7d]))), { code: "malformed_token" }],
    ["malformed: NaN in payload", jws(MAIN, b64('{"sub":"user-1","exp":NaN}')), { code: "malformed_token" }],
    ["malformed: crit header", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, crit: ["exp"], exp: 1 }), { code: "malformed_token" }],
    ["malformed: typ JOSE", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, typ: "JOSE" }), { code: "malformed_token" }],
    ["malformed: typ dpop+jwt", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, typ: "dpop+jwt" }), { code: "malformed_token" }],
    ["malformed: typ not a string", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, typ: 1 }), { code: "malformed_token" }],
    ["malformed: kid not a string", jws(MAIN, claims(), { alg: "EdDSA", kid: 7 }), { code: "malformed_token" }],
    // A 2.8 KB header nested 1000 deep was a RecursionError (500) in Python, invalid_signature in TypeScript.
    ["malformed: header nested 1000 deep", jws(MAIN, claims(), nested("[", 1000)), { code: "malformed_token" }],
    ["malformed: header nested 33 deep", jws(MAIN, claims(), nested("[", 32)), { code: "malformed_token" }],
    ["malformed: payload nested 33 deep", jws(MAIN, b64(`{"sub":"user-1","x":${"{\"a\":".repeat(32)}1${"}".repeat(32)}}`)), { code: "malformed_token" }],
    ["malformed: 5000-digit integer in the header", jws(MAIN, claims(), b64(`{"alg":"EdDSA","kid":"${MAIN.kid}","n":${"9".repeat(5000)}}`)), { code: "malformed_token" }],
    ["malformed: 400-digit integer in the header", jws(MAIN, claims(), b64(`{"alg":"EdDSA","kid":"${MAIN.kid}","n":-${"9".repeat(400)}}`)), { code: "malformed_token" }],
    ["malformed: 1e400 in the payload", jws(MAIN, b64(JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400'))), { code: "malformed_token" }],
    ["malformed: token over 8192 bytes", jws(MAIN, claims({ blob: "x".repeat(8200) })), { code: "malformed_token" }],
    ["malformed: non-canonical last character", `${valid.slice(0, -1)}${twin}`, { code: "malformed_token" }],
    [
      "malformed: RFC 8037 A.4 JWS (payload is not JSON)",
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
      { code: "malformed_token" },
      { keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }] },
    ],

    ...["none", "None", "NONE", "nOnE"].map(
      (alg) =>
        [`unsupported: alg ${alg}`, `${b64json({ alg, kid: MAIN.kid })}.${b64json(claims())}.`, { code: "unsupported_algorithm" }] as [
          string,
          string,
          Expect,
        ],
    ),
    ["unsupported: HS256 keyed with raw x", hs256(Buffer.from(MAIN.jwk.x, "base64url")), { code: "unsupported_algorithm" }],
    ["unsupported: HS256 keyed with the JWK JSON", hs256(JSON.stringify(MAIN.jwk)), { code: "unsupported_algorithm" }],
    [
      "unsupported: HS256 keyed with the PEM",
      hs256(createPublicKey(MAIN.private).export({ type: "spki", format: "pem" }) as string),
      { code: "unsupported_algorithm" },
    ],
    ["unsupported: RS256", jws(MAIN, claims(), { alg: "RS256", kid: MAIN.kid }), { code: "unsupported_algorithm" }],
    ["unsupported: ES256", jws(MAIN, claims(), { alg: "ES256", kid: MAIN.kid }), { code: "unsupported_algorithm" }],
    ["unsupported: empty alg", jws(MAIN, claims(), { alg: "", kid: MAIN.kid }), { code: "unsupported_algorithm" }],
    ["unsupported: no alg", jws(MAIN, claims(), { kid: MAIN.kid }), { code: "unsupported_algorithm" }],

    ["unknown key: kid not in the set", jws(fixedKey("nobody", 4), claims()), { code: "unknown_key" }],
    ["unknown key: kid path traversal", jws(MAIN, claims(), { alg: "EdDSA", kid: "../../etc/passwd" }), { code: "unknown_key" }],
    ["unknown key: kid __proto__", jws(MAIN, claims(), { alg: "EdDSA", kid: "__proto__" }), { code: "unknown_key" }],
    ["unknown key: no kid, two keys in the set", jws(MAIN, claims(), { alg: "EdDSA" }), { code: "unknown_key" }, TWO_KEYS],
    [
      "unknown key: jku to an attacker's set",
      jws(fixedKey("attacker", 5), claims(), { alg: "EdDSA", kid: "attacker", jku: "http://127.0.0.1:9/jwks.json" }),
      { code: "unknown_key" },
    ],

    ["invalid signature: attacker key under the real kid", jws(ATTACKER, claims()), { code: "invalid_signature" }],
    [
      "invalid signature: embedded jwk header",
      jws(ATTACKER, claims(), { alg: "EdDSA", kid: MAIN.kid, jwk: { kty: "OKP", crv: "Ed25519", x: ATTACKER.jwk.x } }),
      { code: "invalid_signature" },
    ],
    ["invalid signature: tampered payload", `${valid.split(".")[0]}.${b64json(claims({ sub: "admin" }))}.${sig}`, { code: "invalid_signature" }],
    ["invalid signature: null (empty) signature", withSignature(valid, ""), { code: "invalid_signature" }],
    ["invalid signature: zero signature", withSignature(valid, Buffer.alloc(64)), { code: "invalid_signature" }],
    ["invalid signature: all-ones signature", withSignature(valid, Buffer.alloc(64, 0xff)), { code: "invalid_signature" }],
    ["invalid signature: truncated to 63 bytes", withSignature(valid, Buffer.from(sig, "base64url").subarray(0, 63)), { code: "invalid_signature" }],
    ["invalid signature: expired and forged", jws(ATTACKER, claims({ exp: 1 })), { code: "invalid_signature" }],

    ["expired: an hour ago", jws(MAIN, claims({ exp: NOW - 3600 })), { code: "token_expired" }],
    ["expired: 5 s ago, the leeway edge", jws(MAIN, claims({ exp: NOW - 5 })), { code: "token_expired" }],
    ["expired wins over a wrong issuer", jws(MAIN, claims({ exp: NOW - 3600, iss: "https://evil.test" })), { code: "token_expired" }],
    ["not yet valid: nbf in a minute", jws(MAIN, claims({ nbf: NOW + 60 })), { code: "token_not_yet_valid" }],
    ["not yet valid: iat 6 s ahead", jws(MAIN, claims({ iat: NOW + 6 })), { code: "token_not_yet_valid" }],

    ["issuer: another issuer", jws(MAIN, claims({ iss: "https://evil.test" })), { code: "invalid_issuer" }],
    ["issuer: missing", jws(MAIN, claims({ iss: undefined })), { code: "invalid_issuer" }],
    ["issuer: trailing slash", jws(MAIN, claims({ iss: `${ISSUER}/` })), { code: "invalid_issuer" }],
    ["audience: another audience", jws(MAIN, claims({ aud: "billing" })), { code: "invalid_audience" }],
    ["audience: missing", jws(MAIN, claims({ aud: undefined })), { code: "invalid_audience" }],
    ["audience: array without ours", jws(MAIN, claims({ aud: ["a", "b"] })), { code: "invalid_audience" }],
    ["audience: a number", jws(MAIN, claims({ aud: 5 })), { code: "invalid_audience" }],

    ["claims: missing sub", jws(MAIN, claims({ sub: undefined })), { code: "invalid_claims" }],
    ["claims: empty sub", jws(MAIN, claims({ sub: "" })), { code: "invalid_claims" }],
    ["claims: numeric sub", jws(MAIN, claims({ sub: 42 })), { code: "invalid_claims" }],
    ["claims: missing exp", jws(MAIN, claims({ exp: undefined })), { code: "invalid_claims" }],
    ["claims: string exp", jws(MAIN, claims({ exp: String(NOW + 900) })), { code: "invalid_claims" }],
    ["claims: boolean exp", jws(MAIN, claims({ exp: true })), { code: "invalid_claims" }],
    ["claims: string nbf", jws(MAIN, claims({ nbf: "soon" })), { code: "invalid_claims" }],
    ["claims: numeric email", jws(MAIN, claims({ email: 7 })), { code: "invalid_claims" }],
    ["claims: string email_verified", jws(MAIN, claims({ email_verified: "yes" })), { code: "invalid_claims" }],

    ["role: one role", jws(MAIN, claims({ role: "user" })), { ok: true, roles: ["user"] }],
    ["role: a comma list", jws(MAIN, claims({ role: "admin,sales" })), { ok: true, roles: ["admin", "sales"] }],
    ["role: spaces around items are trimmed", jws(MAIN, claims({ role: " admin , sales " })), { ok: true, roles: ["admin", "sales"] }],
    ["role: a repeated role counts once", jws(MAIN, claims({ role: "admin,admin" })), { ok: true, roles: ["admin"] }],
    ["role: only spaces are trimmed, a tab is part of the name", jws(MAIN, claims({ role: "admin\t" })), { ok: true, roles: ["admin\t"] }],
    ["permissions: a list", jws(MAIN, claims({ permissions: ["tasks:read:any", "users:list"] })), { ok: true, permissions: ["tasks:read:any", "users:list"] }],
    ["permissions: an empty list", jws(MAIN, claims({ permissions: [] })), ok],
    ["claims: numeric role", jws(MAIN, claims({ role: 1 })), { code: "invalid_claims" }],
    ["claims: role as an array", jws(MAIN, claims({ role: ["admin"] })), { code: "invalid_claims" }],
    ["claims: null role", jws(MAIN, claims({ role: null })), { code: "invalid_claims" }],
    ["claims: empty role", jws(MAIN, claims({ role: "" })), { code: "invalid_claims" }],
    ["claims: role list with an empty item", jws(MAIN, claims({ role: "admin,,user" })), { code: "invalid_claims" }],
    ["claims: role list with a blank item", jws(MAIN, claims({ role: "admin, " })), { code: "invalid_claims" }],
    ["claims: permissions as a string", jws(MAIN, claims({ permissions: "users:list" })), { code: "invalid_claims" }],
    ["claims: permissions holding a number", jws(MAIN, claims({ permissions: ["users:list", 7] })), { code: "invalid_claims" }],
    ["claims: permissions holding an empty string", jws(MAIN, claims({ permissions: [""] })), { code: "invalid_claims" }],
    ["claims: permissions as an object", jws(MAIN, claims({ permissions: { "users:list": true } })), { code: "invalid_claims" }],

    ["require role: has it", jws(MAIN, claims({ role: "admin" })), { ok: true, roles: ["admin"] }, undefined, { roles: ["admin"] }],
    ["require role: any one of several", jws(MAIN, claims({ role: "sales" })), { ok: true, roles: ["sales"] }, undefined, { roles: ["admin", "sales"] }],
    ["require role: one of a comma list", jws(MAIN, claims({ role: "user,admin" })), { ok: true, roles: ["user", "admin"] }, undefined, { roles: ["admin"] }],
    ["require role: another role", jws(MAIN, claims({ role: "user" })), { code: "insufficient_role" }, undefined, { roles: ["admin"] }],
    ["require role: no role claim", jws(MAIN, claims()), { code: "insufficient_role" }, undefined, { roles: ["admin"] }],
    ["require role: names are case-sensitive", jws(MAIN, claims({ role: "Admin" })), { code: "insufficient_role" }, undefined, { roles: ["admin"] }],
    ["require role: not a prefix match", jws(MAIN, claims({ role: "administrator" })), { code: "insufficient_role" }, undefined, { roles: ["admin"] }],
    ["require role: a permission is not a role", jws(MAIN, claims({ permissions: ["admin"] })), { code: "insufficient_role" }, undefined, { roles: ["admin"] }],
    ["require permission: has it", jws(MAIN, claims({ permissions: ["tasks:read:any"] })), { ok: true, permissions: ["tasks:read:any"] }, undefined, { permissions: ["tasks:read:any"] }],
    ["require permission: the admin role alone grants none", jws(MAIN, claims({ role: "admin" })), { code: "insufficient_permission" }, undefined, { permissions: ["tasks:read:any"] }],
    ["require permissions: all of them", jws(MAIN, claims({ permissions: ["a", "b"] })), { ok: true, permissions: ["a", "b"] }, undefined, { permissions: ["a", "b"] }],
    ["require permissions: one missing", jws(MAIN, claims({ permissions: ["a"] })), { code: "insufficient_permission" }, undefined, { permissions: ["a", "b"] }],
    ["require role and permission: role first", jws(MAIN, claims({ role: "user" })), { code: "insufficient_role" }, undefined, { roles: ["admin"], permissions: ["a"] }],
    ["require role and permission: then permission", jws(MAIN, claims({ role: "admin" })), { code: "insufficient_permission" }, undefined, { roles: ["admin"], permissions: ["a"] }],
    ["require role: authentication first (expired admin)", jws(MAIN, claims({ role: "admin", exp: NOW - 3600 })), { code: "token_expired" }, undefined, { roles: ["admin"] }],
    ["require role: authentication first (malformed role)", jws(MAIN, claims({ role: 5 })), { code: "invalid_claims" }, undefined, { roles: ["admin"] }],
    ...clientVectors(valid),
    ...stepUpVectors(),
    ...revocationVectors(),
    [
      "require role: role tampered to admin",
      `${valid.split(".")[0]}.${b64json(claims({ role: "admin" }))}.${sig}`,
      { code: "invalid_signature" },
      undefined,
      { roles: ["admin"] },
    ],
  ];
  return list.map(([name, token, expect, jwks, require, revocations]) => ({
    name,
    token,
    jwks: jwks ?? JWKS,
    ...(revocations ? { revocations } : {}),
    now: NOW,
    issuer: ISSUER,
    audience: AUDIENCE,
    ...(require ? { require } : {}),
    expect:
      "code" in expect
        ? expect
        : {
            sub: "user-1",
            kind: "user",
            client_id: null,
            scopes: [],
            roles: [],
            permissions: [],
            amr: [],
            auth_time: null,
            ...expect,
            ok: true,
          },
  }));
}

export const VECTORS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "vectors.json");

export function renderVectors(): string {
  return `${JSON.stringify({ description: "authbridge verifier test vectors (CONTRACT §2); regenerate with npm run vectors", vectors: buildVectors() }, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(VECTORS_FILE, renderVectors());
  process.stdout.write(`wrote ${buildVectors().length} vectors to ${path.relative(process.cwd(), VECTORS_FILE)}\n`);
}

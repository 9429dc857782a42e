/**
 * Vectors for session-bound tokens and the revocation feed (CONTRACT §8): a verifier given a
 * revocation list refuses a listed session or client and every token issued before `not_before`,
 * only after every other check, and needs `sid` on a user token to follow the feed at all.
 */
import {
  AUDIENCE,
  claims,
  type Expect,
  ISSUER,
  jws,
  MAIN,
  NOW,
  type Requirement,
  type Revocations,
  SESSION,
} from "./fixtures.js";

const CLIENT = "client_gone";
const AT_JWT = { alg: "EdDSA", kid: MAIN.kid, typ: "at+jwt" } as const;

export function revocationVectors(): [string, string, Expect, { keys: unknown[] }?, Requirement?, Revocations?][] {
  const client = (clientId: string, extra: Record<string, unknown> = {}) =>
    jws(
      MAIN,
      { iss: ISSUER, sub: clientId, aud: AUDIENCE, client_id: clientId, scope: "users:list", iat: NOW - 10, exp: NOW + 600, jti: "j1", ...extra },
      AT_JWT,
    );
  const clientOk = { ok: true as const, sub: CLIENT, kind: "client" as const, client_id: CLIENT, scopes: ["users:list"] };
  const revoked = { code: "token_revoked" };
  const listed: Revocations = { sessions: ["another-session", SESSION], clients: [], not_before: 0 };
  const nothing: Revocations = { sessions: [], clients: [], not_before: 0 };
  return [
    ["revocation: the token's session is listed", jws(MAIN, claims()), revoked, undefined, undefined, listed],
    ["revocation: another session is listed", jws(MAIN, claims({ sid: "session-2" })), { ok: true }, undefined, undefined, listed],
    ["revocation: an empty list", jws(MAIN, claims()), { ok: true }, undefined, undefined, nothing],
    ["revocation: the client is listed", client(CLIENT), revoked, undefined, undefined, { clients: [CLIENT] }],
    ["revocation: another client is listed", client(CLIENT), clientOk, undefined, undefined, { clients: ["client_other"] }],
    ["revocation: a client id listed as a session is no client", client(CLIENT), clientOk, undefined, undefined, { sessions: [CLIENT] }],
    ["revocation: a session id listed as a client is no session", jws(MAIN, claims()), { ok: true }, undefined, undefined, { clients: [SESSION] }],
    ["revocation: issued before not_before", jws(MAIN, claims({ iat: NOW - 61 })), revoked, undefined, undefined, { not_before: NOW - 60 }],
    ["revocation: issued at not_before", jws(MAIN, claims({ iat: NOW - 60 })), { ok: true }, undefined, undefined, { not_before: NOW - 60 }],
    ["revocation: no iat, with a not_before", jws(MAIN, claims({ iat: undefined })), revoked, undefined, undefined, { not_before: NOW - 60 }],
    ["revocation: a client token issued before not_before", client(CLIENT, { iat: NOW - 120 }), revoked, undefined, undefined, { not_before: NOW - 60 }],
    ["revocation: a user token without sid, feed followed", jws(MAIN, claims({ sid: undefined })), { code: "invalid_claims" }, undefined, undefined, nothing],
    ["revocation: a user token without sid, feed off", jws(MAIN, claims({ sid: undefined })), { ok: true }],
    ["claims: sid as a number", jws(MAIN, claims({ sid: 7 })), { code: "invalid_claims" }],
    ["claims: an empty sid", jws(MAIN, claims({ sid: "" })), { code: "invalid_claims" }],
    ["claims: a client token with a sid", client(CLIENT, { sid: SESSION }), { code: "invalid_claims" }],
    ["revocation: checked after the claims (an expired revoked token)", jws(MAIN, claims({ exp: NOW - 3600 })), { code: "token_expired" }, undefined, undefined, listed],
    ["revocation: checked after the signature", `${jws(MAIN, claims()).slice(0, -4)}AAAA`, { code: "invalid_signature" }, undefined, undefined, listed],
    ["revocation: before the role check", jws(MAIN, claims({ role: "user" })), revoked, undefined, { roles: ["admin"] }, listed],
    ["revocation: before step-up", jws(MAIN, claims({ amr: ["pwd"], auth_time: NOW - 60 })), revoked, undefined, { mfa: true }, listed],
  ];
}

/** Vectors for what a token says of the sign-in (`amr`, `auth_time`) and step-up (RFC 9470, CONTRACT §7). */
import { AUDIENCE, claims, type Expect, ISSUER, jws, MAIN, NOW, type Requirement } from "./fixtures.js";

const MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
const MESSAGE = "This action requires a stronger or more recent sign-in";

/** The exact challenge of a step-up refusal, naming what the route requires. */
function stepUp(require: { mfa?: boolean; maxAge?: number }): Expect {
  let challenge = `Bearer realm="api", error="insufficient_user_authentication", error_description="${MESSAGE}"`;
  if (require.mfa) challenge += `, acr_values="${MFA_ACR}"`;
  if (require.maxAge !== undefined) challenge += `, max_age=${require.maxAge}`;
  return { code: "insufficient_user_authentication", challenge };
}

const PWD = ["pwd"];
const TOTP = ["pwd", "otp", "mfa"];

const signedIn = (amr: unknown, authTime: unknown = NOW - 60, extra: Record<string, unknown> = {}) =>
  jws(MAIN, claims({ amr, auth_time: authTime, ...extra }));

export function stepUpVectors(): [string, string, Expect, { keys: unknown[] }?, Requirement?][] {
  const client = jws(
    MAIN,
    { iss: ISSUER, sub: "client_x", aud: AUDIENCE, client_id: "client_x", scope: "users:list", iat: NOW - 10, exp: NOW + 600 },
    { alg: "EdDSA", kid: MAIN.kid, typ: "at+jwt" },
  );
  const mfa = { mfa: true };
  const fresh = { maxAge: 300 };
  const both = { mfa: true, maxAge: 300 };
  return [
    ["amr: a password sign-in", signedIn(PWD), { ok: true, amr: PWD, auth_time: NOW - 60 }],
    ["amr: a sign-in with a TOTP code", signedIn(TOTP), { ok: true, amr: TOTP, auth_time: NOW - 60 }],
    ["amr: a repeated method counts once", signedIn(["pwd", "pwd", "mfa"]), { ok: true, amr: ["pwd", "mfa"], auth_time: NOW - 60 }],
    ["amr: an empty list", signedIn([]), { ok: true, amr: [], auth_time: NOW - 60 }],
    ["amr: an unregistered method is kept", signedIn(["pwd", "hwk", "x-corp"]), { ok: true, amr: ["pwd", "hwk", "x-corp"], auth_time: NOW - 60 }],
    ["auth_time: 5 s ahead, within leeway", signedIn(PWD, NOW + 5), { ok: true, amr: PWD, auth_time: NOW + 5 }],
    ["claims: amr as a string", signedIn("pwd"), { code: "invalid_claims" }],
    ["claims: null amr", signedIn(null), { code: "invalid_claims" }],
    ["claims: amr holding a number", signedIn(["pwd", 1]), { code: "invalid_claims" }],
    ["claims: amr holding an empty string", signedIn(["pwd", ""]), { code: "invalid_claims" }],
    ["claims: amr as an object", signedIn({ pwd: true }), { code: "invalid_claims" }],
    ["claims: auth_time as a string", signedIn(PWD, String(NOW - 60)), { code: "invalid_claims" }],
    ["claims: auth_time true", signedIn(PWD, true), { code: "invalid_claims" }],
    ["claims: null auth_time", signedIn(PWD, null), { code: "invalid_claims" }],
    ["claims: auth_time in the future", signedIn(TOTP, NOW + 60), { code: "invalid_claims" }],
    ["client: carrying amr", jws(MAIN, { ...JSON.parse(Buffer.from(client.split(".")[1] as string, "base64url").toString()), amr: TOTP }, { alg: "EdDSA", kid: MAIN.kid, typ: "at+jwt" }), { code: "invalid_claims" }],
    ["client: carrying auth_time", jws(MAIN, { ...JSON.parse(Buffer.from(client.split(".")[1] as string, "base64url").toString()), auth_time: NOW - 60 }, { alg: "EdDSA", kid: MAIN.kid, typ: "at+jwt" }), { code: "invalid_claims" }],

    ["require mfa: amr has mfa", signedIn(TOTP), { ok: true, amr: TOTP, auth_time: NOW - 60 }, undefined, mfa],
    ["require mfa: a backup code (pwd, mfa)", signedIn(["pwd", "mfa"]), { ok: true, amr: ["pwd", "mfa"], auth_time: NOW - 60 }, undefined, mfa],
    ["require mfa: a password alone", signedIn(PWD), stepUp(mfa), undefined, mfa],
    ["require mfa: otp without mfa", signedIn(["otp"]), stepUp(mfa), undefined, mfa],
    ["require mfa: no amr claim", jws(MAIN, claims()), stepUp(mfa), undefined, mfa],
    ["require mfa: an empty amr", signedIn([]), stepUp(mfa), undefined, mfa],
    ["require mfa: names are case-sensitive", signedIn(["pwd", "MFA"]), stepUp(mfa), undefined, mfa],
    ["require mfa: a client has no sign-in", client, { code: "user_required" }, undefined, mfa],
    ["require max_age 300: signed in 60 s ago", signedIn(PWD), { ok: true, amr: PWD, auth_time: NOW - 60 }, undefined, fresh],
    ["require max_age 300: exactly 300 s ago", signedIn(PWD, NOW - 300), { ok: true, amr: PWD, auth_time: NOW - 300 }, undefined, fresh],
    ["require max_age 300: 301 s ago", signedIn(PWD, NOW - 301), stepUp(fresh), undefined, fresh],
    ["require max_age 300: a day ago", signedIn(TOTP, NOW - 86_400), stepUp(fresh), undefined, fresh],
    ["require max_age 300: no auth_time", jws(MAIN, claims({ amr: PWD })), stepUp(fresh), undefined, fresh],
    ["require max_age 0: signed in this second", signedIn(PWD, NOW), { ok: true, amr: PWD, auth_time: NOW }, undefined, { maxAge: 0 }],
    ["require mfa and max_age: both met", signedIn(TOTP), { ok: true, amr: TOTP, auth_time: NOW - 60 }, undefined, both],
    ["require mfa and max_age: mfa, too old", signedIn(TOTP, NOW - 900), stepUp(both), undefined, both],
    ["require mfa and max_age: recent, no mfa", signedIn(PWD), stepUp(both), undefined, both],
    ["require mfa: authentication first (expired)", signedIn(TOTP, NOW - 4000, { exp: NOW - 3000 }), { code: "token_expired" }, undefined, mfa],
    ["require role and mfa: the role first", signedIn(PWD, NOW - 60, { role: "user" }), { code: "insufficient_role" }, undefined, { roles: ["admin"], mfa: true }],
    ["require role and mfa: an admin without mfa steps up", signedIn(PWD, NOW - 60, { role: "admin" }), stepUp(mfa), undefined, { roles: ["admin"], mfa: true }],
    ["require permission and mfa: the permission first", signedIn(PWD, NOW - 60, { role: "admin" }), { code: "insufficient_permission" }, undefined, { roles: ["admin"], permissions: ["users:list"], mfa: true }],
    ["require role, permission and mfa: all met", signedIn(TOTP, NOW - 60, { role: "admin", permissions: ["users:list"] }), { ok: true, amr: TOTP, auth_time: NOW - 60, roles: ["admin"], permissions: ["users:list"] }, undefined, { roles: ["admin"], permissions: ["users:list"], mfa: true }],
  ];
}

/** Vectors for machine clients' tokens (RFC 9068, CONTRACT §6): kinds, token confusion, scopes. */
import { AUDIENCE, b64json, claims, type Expect, ISSUER, jws, MAIN, NOW, type Requirement, withOverrides } from "./fixtures.js";

const CLIENT = "client_reports";

/** A machine client's access token claims (RFC 9068, CONTRACT §6). */
function clientClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    sub: CLIENT,
    aud: AUDIENCE,
    client_id: CLIENT,
    scope: "tasks:read:any users:list",
    iat: NOW - 10,
    exp: NOW + 3600,
    jti: "jti-1",
  };
  return withOverrides(base, overrides);
}

const AT_JWT = { alg: "EdDSA", kid: "main-key", typ: "at+jwt" } as const;

/** The vectors of client tokens; `valid` is the plain user token. */
export function clientVectors(valid: string): [string, string, Expect, { keys: unknown[] }?, Requirement?][] {
  const client = {
    ok: true as const,
    sub: CLIENT,
    kind: "client" as const,
    client_id: CLIENT,
    scopes: ["tasks:read:any", "users:list"],
  };  const ok = { ok: true as const };
  return [
    ["client: valid access token", jws(MAIN, clientClaims(), AT_JWT), client],
    ["client: typ application/AT+JWT", jws(MAIN, clientClaims(), { ...AT_JWT, typ: "application/AT+JWT" }), client],
    ["client: no scope claim", jws(MAIN, clientClaims({ scope: undefined }), AT_JWT), { ...client, scopes: [] }],
    ["client: a repeated scope counts once", jws(MAIN, clientClaims({ scope: "users:list users:list" }), AT_JWT), { ...client, scopes: ["users:list"] }],
    ["client: aud array holding the audience", jws(MAIN, clientClaims({ aud: ["reports-api", AUDIENCE] }), AT_JWT), client],
    ["client: expired", jws(MAIN, clientClaims({ exp: NOW - 3600 }), AT_JWT), { code: "token_expired" }],
    ["client: another audience", jws(MAIN, clientClaims({ aud: "billing" }), AT_JWT), { code: "invalid_audience" }],
    ["client: tampered scope", `${jws(MAIN, clientClaims(), AT_JWT).split(".")[0]}.${b64json(clientClaims({ scope: "tasks:write:any" }))}.${jws(MAIN, clientClaims(), AT_JWT).split(".")[2]}`, { code: "invalid_signature" }],
    // RFC 9068 §4: neither kind of token may pass for the other.
    ["confusion: a user token typed at+jwt", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, typ: "at+jwt" }), { code: "invalid_claims" }],
    ["confusion: a user token typed application/at+JWT", jws(MAIN, claims(), { alg: "EdDSA", kid: MAIN.kid, typ: "application/at+JWT" }), { code: "invalid_claims" }],
    ["confusion: client claims typed JWT", jws(MAIN, clientClaims(), { alg: "EdDSA", kid: MAIN.kid, typ: "JWT" }), { code: "invalid_claims" }],
    ["confusion: client claims without typ", jws(MAIN, clientClaims()), { code: "invalid_claims" }],
    ["confusion: a user token with a client_id", jws(MAIN, claims({ client_id: "user-1" })), { code: "invalid_claims" }],
    ["client: client_id is not the sub", jws(MAIN, clientClaims({ sub: "user-1" }), AT_JWT), { code: "invalid_claims" }],
    ["client: empty client_id", jws(MAIN, clientClaims({ client_id: "", sub: "" }), AT_JWT), { code: "invalid_claims" }],
    ["client: numeric client_id", jws(MAIN, clientClaims({ client_id: 7 }), AT_JWT), { code: "invalid_claims" }],
    ["client: null client_id", jws(MAIN, clientClaims({ client_id: null }), AT_JWT), { code: "invalid_claims" }],
    ["client: scope as an array", jws(MAIN, clientClaims({ scope: ["users:list"] }), AT_JWT), { code: "invalid_claims" }],
    ["client: empty scope", jws(MAIN, clientClaims({ scope: "" }), AT_JWT), { code: "invalid_claims" }],
    ["client: scope with a double space", jws(MAIN, clientClaims({ scope: "users:list  tasks:read:any" }), AT_JWT), { code: "invalid_claims" }],
    ["client: carrying a role", jws(MAIN, clientClaims({ role: "admin" }), AT_JWT), { code: "invalid_claims" }],
    ["client: carrying permissions", jws(MAIN, clientClaims({ permissions: ["tasks:write:any"] }), AT_JWT), { code: "invalid_claims" }],
    ["client: carrying an email", jws(MAIN, clientClaims({ email: "robot@example.test" }), AT_JWT), { code: "invalid_claims" }],
    ["require permission: a client with the scope", jws(MAIN, clientClaims(), AT_JWT), client, undefined, { permissions: ["tasks:read:any"] }],
    ["require permissions: a client with both scopes", jws(MAIN, clientClaims(), AT_JWT), client, undefined, { permissions: ["tasks:read:any", "users:list"] }],
    ["require permission: a client without the scope", jws(MAIN, clientClaims(), AT_JWT), { code: "insufficient_permission" }, undefined, { permissions: ["tasks:write:any"] }],
    ["require role: a client has no role", jws(MAIN, clientClaims(), AT_JWT), { code: "insufficient_role" }, undefined, { roles: ["admin"] }],
    ["require user: a client is refused", jws(MAIN, clientClaims(), AT_JWT), { code: "user_required" }, undefined, { user: true }],
    ["require user: before the permission", jws(MAIN, clientClaims(), AT_JWT), { code: "user_required" }, undefined, { user: true, permissions: ["tasks:read:any"] }],
    ["require user: a user passes", valid, ok, undefined, { user: true }],
    ["require permission: a user's scope claim grants nothing", jws(MAIN, claims({ scope: "tasks:read:any" })), { code: "insufficient_permission" }, undefined, { permissions: ["tasks:read:any"] }],
  ];
}

/**
 * The verified caller: what `verify` returns and what the Hono middleware puts in `c.var.user`.
 * Deep-frozen: the verified-token cache hands the same principal to every request that carries
 * the same token, so a handler must not be able to change what the next one sees.
 */
import type { JWTPayload } from "jose";
import { amrOf, permissionsOf, rolesOf, scopesOf } from "./claims.js";

/**
 * The verified caller (Python: `authbridge.Principal`).
 *
 * @example
 * app.get("/api/me", requireUser(verifier), (c) => c.json({ id: c.var.user.id, roles: c.var.user.roles }));
 */
export interface Principal {
  /** The token's `sub`: a user's id, or a machine client's `client_id`. */
  readonly id: string;
  /**
   * A person (a user's session token) or a machine client (an RFC 9068 access token from the
   * client credentials grant, `typ: at+jwt` with `client_id`).
   */
  readonly kind: "user" | "client";
  /** The `client_id` claim of a client token; null for a user. */
  readonly clientId: string | null;
  /** The `scope` claim of a client token as a list; empty for a user. */
  readonly scopes: readonly string[];
  readonly email: string | null;
  readonly name: string | null;
  /** `email_verified`, or `emailVerified` as stock Better Auth writes it; null when absent. */
  readonly emailVerified: boolean | null;
  /** The `role` claim as a list (`"admin,sales"` → `["admin", "sales"]`); empty when absent. */
  readonly roles: readonly string[];
  /** The `permissions` claim; empty when absent. */
  readonly permissions: readonly string[];
  /** The `amr` claim (RFC 8176: `["pwd"]`, `["pwd", "otp", "mfa"]`); empty when absent. */
  readonly amr: readonly string[];
  /** The `auth_time` claim: when the user signed in, seconds since the epoch; null when absent. */
  readonly authTime: number | null;
  /**
   * The `sid` claim: the session the token was issued from (a keyed hash, never the session
   * token), which the revocation feed lists once the session ends; null for a client.
   */
  readonly sessionId: string | null;
  /** The `iat` claim, seconds since the epoch; null when absent. */
  readonly issuedAt: number | null;
  /** Every verified claim, read-only all the way down. */
  readonly claims: Readonly<JWTPayload & Record<string, unknown>>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds the principal of a verified payload (which it freezes in place).
 *
 * @example
 * const robot = principalFromClaims({ sub: "robot-1", role: "service" }); // for another credential
 */
export function principalFromClaims(payload: JWTPayload & Record<string, unknown>): Principal {
  const verified = payload.email_verified ?? payload.emailVerified;
  const isClient = "client_id" in payload;
  return Object.freeze({
    id: payload.sub as string,
    kind: isClient ? "client" : "user",
    clientId: isClient && typeof payload.client_id === "string" ? payload.client_id : null,
    scopes: Object.freeze((isClient ? scopesOf(payload.scope) : undefined) ?? []),
    email: typeof payload.email === "string" ? payload.email : null,
    name: typeof payload.name === "string" ? payload.name : null,
    emailVerified: typeof verified === "boolean" ? verified : null,
    roles: Object.freeze(rolesOf(payload.role) ?? []),
    permissions: Object.freeze(permissionsOf(payload.permissions) ?? []),
    amr: Object.freeze(amrOf(payload.amr) ?? []),
    authTime: typeof payload.auth_time === "number" ? payload.auth_time : null,
    sessionId: typeof payload.sid === "string" ? payload.sid : null,
    issuedAt: typeof payload.iat === "number" ? payload.iat : null,
    claims: deepFreeze(payload),
  });
}

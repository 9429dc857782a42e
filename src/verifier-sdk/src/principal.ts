/**
 * The verified caller: what `verify` returns and what the Hono middleware puts in `c.var.user`.
 * Deep-frozen: the verified-token cache hands the same principal to every request that carries
 * the same token, so a handler must not be able to change what the next one sees.
 */
import type { JWTPayload } from "jose";
import { permissionsOf, rolesOf } from "./claims.js";

/**
 * The verified caller (Python: `authbridge.Principal`).
 *
 * @example
 * app.get("/api/me", requireUser(verifier), (c) => c.json({ id: c.var.user.id, roles: c.var.user.roles }));
 */
export interface Principal {
  /** The token's `sub`. */
  readonly id: string;
  readonly email: string | null;
  readonly name: string | null;
  /** `email_verified`, or `emailVerified` as stock Better Auth writes it; null when absent. */
  readonly emailVerified: boolean | null;
  /** The `role` claim as a list (`"admin,sales"` → `["admin", "sales"]`); empty when absent. */
  readonly roles: readonly string[];
  /** The `permissions` claim; empty when absent. */
  readonly permissions: readonly string[];
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
  return Object.freeze({
    id: payload.sub as string,
    email: typeof payload.email === "string" ? payload.email : null,
    name: typeof payload.name === "string" ? payload.name : null,
    emailVerified: typeof verified === "boolean" ? verified : null,
    roles: Object.freeze(rolesOf(payload.role) ?? []),
    permissions: Object.freeze(permissionsOf(payload.permissions) ?? []),
    claims: deepFreeze(payload),
  });
}

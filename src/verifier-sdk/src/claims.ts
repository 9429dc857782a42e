/** Claim checks of CONTRACT §2.6, run only after the signature holds. */
import { AuthError } from "./errors.js";

export interface ClaimRules {
  issuer: string;
  audiences: ReadonlySet<string>;
  leewaySeconds: number;
  /** Now, in seconds since the epoch. */
  now: number;
}

const isNumber = (value: unknown): value is number => typeof value === "number";

/**
 * Throws `AuthError` for the first failing check, in the contract's order.
 *
 * @example
 * validateClaims(payload, { issuer, audiences: new Set([aud]), leewaySeconds: 5, now: Date.now() / 1000 });
 */
export function validateClaims(claims: Record<string, unknown>, rules: ClaimRules): void {
  const { exp } = claims;
  if (!isNumber(exp)) throw new AuthError("invalid_claims");
  if (exp <= rules.now - rules.leewaySeconds) throw new AuthError("token_expired");
  for (const name of ["nbf", "iat"]) {
    const value = claims[name];
    if (value === undefined || value === null) continue;
    if (!isNumber(value)) throw new AuthError("invalid_claims");
    if (value > rules.now + rules.leewaySeconds) throw new AuthError("token_not_yet_valid");
  }
  if (claims.iss !== rules.issuer) throw new AuthError("invalid_issuer");
  const aud = claims.aud;
  const tokenAudiences = typeof aud === "string" ? [aud] : aud;
  if (
    !Array.isArray(tokenAudiences) ||
    !tokenAudiences.some((item) => typeof item === "string" && rules.audiences.has(item))
  ) {
    throw new AuthError("invalid_audience");
  }
  const { sub } = claims;
  if (typeof sub !== "string" || sub === "") throw new AuthError("invalid_claims");
  for (const name of ["email", "name"]) {
    if (name in claims && typeof claims[name] !== "string") throw new AuthError("invalid_claims");
  }
  for (const name of ["email_verified", "emailVerified"]) {
    if (name in claims && typeof claims[name] !== "boolean") throw new AuthError("invalid_claims");
  }
  if ("role" in claims && rolesOf(claims.role) === undefined) throw new AuthError("invalid_claims");
  if ("permissions" in claims && permissionsOf(claims.permissions) === undefined) throw new AuthError("invalid_claims");
  if ("amr" in claims && amrOf(claims.amr) === undefined) throw new AuthError("invalid_claims");
  if ("auth_time" in claims) {
    const authTime = claims.auth_time;
    // A sign-in cannot have happened after now: such a token is malformed, not early.
    if (!isNumber(authTime) || authTime > rules.now + rules.leewaySeconds) throw new AuthError("invalid_claims");
  }
  if ("sid" in claims && (typeof claims.sid !== "string" || claims.sid === "")) throw new AuthError("invalid_claims");
}

/** Claims that describe a person: a client token carrying one is refused (it names no person). */
const PERSON_CLAIMS = [
  "email",
  "name",
  "email_verified",
  "emailVerified",
  "sid",
  "role",
  "permissions",
  "amr",
  "auth_time",
] as const;

/**
 * Whether the verified token is a person's or a machine client's, by RFC 9068 §4: an access
 * token (`typ` `at+jwt`) must carry `client_id`, and a token that carries `client_id` must be
 * one, so neither kind can be passed off as the other (`invalid_claims`). A client token's
 * `client_id` is its `sub`, its `scope` a space-separated list, and it carries no person claims.
 * `typ` is the header's, lower-cased, without `application/`.
 *
 * @example
 * tokenKindOf("at+jwt", { sub: "client_1", client_id: "client_1", scope: "tasks:read:any" }); // "client"
 */
export function tokenKindOf(typ: string | undefined, claims: Record<string, unknown>): "user" | "client" {
  const isAccessToken = typ === "at+jwt";
  const hasClientId = "client_id" in claims;
  if (isAccessToken !== hasClientId) throw new AuthError("invalid_claims");
  if (!hasClientId) return "user";
  const clientId = claims.client_id;
  if (typeof clientId !== "string" || clientId === "" || claims.sub !== clientId) throw new AuthError("invalid_claims");
  if ("scope" in claims && scopesOf(claims.scope) === undefined) throw new AuthError("invalid_claims");
  if (PERSON_CLAIMS.some((name) => name in claims)) throw new AuthError("invalid_claims");
  return "client";
}

/**
 * The scopes of a `scope` claim (RFC 6749 §3.3: names separated by single spaces), each once;
 * `undefined` when the claim is not such a string.
 */
export function scopesOf(value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const scopes = value.split(" ");
  return scopes.every((scope) => scope !== "") ? [...new Set(scopes)] : undefined;
}

// Only U+0020: JavaScript's trim() and Python's strip() disagree on other white space.
const trimSpaces = (item: string) => item.replace(/^ +| +$/g, "");

/**
 * The roles of a `role` claim: one role, or a comma list as Better Auth's admin plugin stores
 * several ("admin,sales"). `undefined` when the claim is not such a string.
 */
export function rolesOf(value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const roles = value.split(",").map(trimSpaces);
  return roles.every((role) => role !== "") ? [...new Set(roles)] : undefined;
}

/**
 * The `amr` claim (RFC 8176: how the user authenticated, e.g. `["pwd", "otp", "mfa"]`): an
 * array of non-empty strings, each once; `undefined` when it is not one.
 */
export function amrOf(value: unknown): string[] | undefined {
  return permissionsOf(value);
}

/** The `permissions` claim: an array of non-empty strings, or `undefined` when it is not one. */
export function permissionsOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.every((item) => typeof item === "string" && item !== "") ? [...new Set(value as string[])] : undefined;
}

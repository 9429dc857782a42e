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
}

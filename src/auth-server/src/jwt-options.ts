/** The JWT plugin's options and the token payload: shared by Better Auth, key management and the token route. */
import type { JwtOptions } from "better-auth/plugins/jwt";
import type { AuthServerConfig } from "./config.js";
import { type SessionIds, sessionIds } from "./revocation/session-id.js";
import { permissionsFor, splitRoles } from "./roles.js";
import { authenticationClaims } from "./two-factor/amr.js";

/** The JWT plugin's options, shared with key management so both mint keys the same way. */
export function jwtPluginOptions(config: AuthServerConfig): JwtOptions {
  const ids = sessionIds(config);
  return {
    jwks: {
      keyPairConfig: { alg: "EdDSA", crv: "Ed25519" },
      gracePeriod: config.jwt.graceSeconds,
      ...(config.jwt.rotationSeconds ? { rotationInterval: config.jwt.rotationSeconds } : {}),
    },
    jwt: {
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      expirationTime: `${config.jwt.ttlSeconds}s`,
      definePayload: ({ user, session }) => tokenPayload(user, session, ids),
    },
  };
}

/**
 * CONTRACT §1: a minimal payload, never the whole user row (`sub`, iss, aud, iat, exp come with
 * signing), how the session was authenticated (`amr`, `auth_time`: two-factor/amr.ts), and
 * which session it was (`sid`, which the revocation feed lists once the session ends).
 */
export function tokenPayload(
  user: { email: string; name: string; emailVerified: boolean; role?: unknown },
  session: { id?: unknown } | undefined,
  ids: SessionIds,
) {
  return {
    email: user.email,
    name: user.name,
    email_verified: user.emailVerified,
    ...accessClaims(user.role),
    ...authenticationClaims(session),
    ...(typeof session?.id === "string" ? { sid: ids.current(session.id) } : {}),
  };
}

/** `role` as the admin plugin stores it (normalised), and the permissions its roles grant. */
function accessClaims(stored: unknown): { role?: string; permissions?: string[] } {
  const roles = splitRoles(stored);
  if (roles.length === 0) return {};
  const permissions = permissionsFor(roles);
  return { role: roles.join(","), ...(permissions.length > 0 ? { permissions } : {}) };
}

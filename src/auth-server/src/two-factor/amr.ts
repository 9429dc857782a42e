/**
 * How a session was authenticated, stored on the session row when it is created (`amr`, the
 * RFC 8176 methods, space-separated; `authTime`, seconds) and copied into every token it gets.
 * Only a completed second factor adds to it (`upgraded`); a refresh, a new token or a copied
 * session keeps what the sign-in wrote, so no request can raise its own claim.
 */

/** RFC 8176 §2 values this server writes. */
export const AMR = { password: "pwd", otp: "otp", mfa: "mfa" } as const;

/** The second factors Better Auth's twoFactor plugin completes, and what each adds to `amr`. */
export const SECOND_FACTOR_PATHS: Readonly<Record<string, readonly string[]>> = {
  // A TOTP code is RFC 8176's `otp` (RFC 6238).
  "/two-factor/verify-totp": [AMR.otp, AMR.mfa],
  // A backup code is a single-use lookup secret: RFC 8176 names no method for it.
  "/two-factor/verify-backup-code": [AMR.mfa],
};

/** Paths whose new session is a sign-in with the password. */
const PASSWORD_PATHS = new Set(["/sign-in/email", "/sign-up/email"]);

/**
 * Paths that replace the caller's own session without copying it (a password change that signs
 * the other sessions out): the new one continues the same sign-in. Impersonation is not one.
 */
export const REPLACING_PATHS = new Set(["/change-password"]);

export interface SessionAuthentication {
  /** `amr` as stored: RFC 8176 values separated by single spaces. */
  amr?: string | null;
  /** `auth_time` as stored: seconds since the epoch. */
  authTime?: number | null;
}

/** The stored `amr` as a list (empty when the session predates it). */
export function amrOf(stored: unknown): string[] {
  return typeof stored === "string" && stored !== "" ? stored.split(" ") : [];
}

/** `amr` with `added` appended, each value once, `pwd` first as the sign-in wrote it. */
export function upgraded(stored: unknown, added: readonly string[]): string {
  return [...new Set([...amrOf(stored), ...added])].join(" ");
}

/**
 * What a session created by `path` records. A password sign-in is `pwd` now; a completed second
 * factor adds its methods to the password of the sign-in it completes (or of the session it
 * replaces, when the factor is confirmed while signed in). A session copied by another endpoint
 * keeps the original's record; any other new session (an email link) records no method.
 */
export function authenticationOf(
  path: string | undefined,
  copied: SessionAuthentication,
  nowSeconds: number,
): SessionAuthentication {
  const added = path ? SECOND_FACTOR_PATHS[path] : undefined;
  if (added) {
    const first = copied.amr ? copied.amr : AMR.password;
    return { amr: upgraded(first, added), authTime: copied.authTime ?? nowSeconds };
  }
  if (copied.amr !== undefined && copied.amr !== null) return { amr: copied.amr, authTime: copied.authTime ?? null };
  if (path && PASSWORD_PATHS.has(path)) return { amr: AMR.password, authTime: nowSeconds };
  return { amr: null, authTime: path === "/verify-email" ? nowSeconds : null };
}

/** The token claims of a session's record: `amr` and `auth_time`, each only when known. */
export function authenticationClaims(session: object | undefined): { amr?: string[]; auth_time?: number } {
  const { amr: stored, authTime } = (session ?? {}) as { amr?: unknown; authTime?: unknown };
  const amr = amrOf(stored);
  return {
    ...(amr.length > 0 ? { amr } : {}),
    ...(typeof authTime === "number" && Number.isFinite(authTime) ? { auth_time: Math.floor(authTime) } : {}),
  };
}

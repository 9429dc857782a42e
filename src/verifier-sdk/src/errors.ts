/**
 * The one error a verification (or an ownership, role or permission check) raises. Its `code` is drawn from the
 * contract's closed set (CONTRACT §2–§3) and is API; the message is fixed per code so that the
 * TypeScript and Python verifiers answer byte for byte alike
 * (`python-backend/authbridge/src/authbridge/errors.py` holds the same table). `status`, `wwwAuthenticate` and `toResponse()` are the
 * contract's HTTP mapping, kept here in one place for every edge (Hono, plain fetch handlers).
 */

/**
 * Every code a protected API answers with, besides `not_found`.
 *
 * @example
 * const retry = (code: AuthErrorCode) => code === "jwks_unavailable";
 */
export type AuthErrorCode =
  | "missing_token"
  | "malformed_token"
  | "unsupported_algorithm"
  | "unknown_key"
  | "jwks_unavailable"
  | "invalid_signature"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_revoked"
  | "invalid_issuer"
  | "invalid_audience"
  | "invalid_claims"
  | "forbidden"
  | "user_required"
  | "insufficient_user_authentication"
  | "insufficient_role"
  | "insufficient_permission";

/**
 * The codes as constants, named as Python's `ErrorCode` names them.
 *
 * @example
 * throw new AuthError(ErrorCode.FORBIDDEN);
 */
export const ErrorCode = Object.freeze({
  MISSING_TOKEN: "missing_token",
  MALFORMED_TOKEN: "malformed_token",
  UNSUPPORTED_ALGORITHM: "unsupported_algorithm",
  UNKNOWN_KEY: "unknown_key",
  JWKS_UNAVAILABLE: "jwks_unavailable",
  INVALID_SIGNATURE: "invalid_signature",
  TOKEN_EXPIRED: "token_expired",
  TOKEN_NOT_YET_VALID: "token_not_yet_valid",
  TOKEN_REVOKED: "token_revoked",
  INVALID_ISSUER: "invalid_issuer",
  INVALID_AUDIENCE: "invalid_audience",
  INVALID_CLAIMS: "invalid_claims",
  FORBIDDEN: "forbidden",
  USER_REQUIRED: "user_required",
  INSUFFICIENT_USER_AUTHENTICATION: "insufficient_user_authentication",
  INSUFFICIENT_ROLE: "insufficient_role",
  INSUFFICIENT_PERMISSION: "insufficient_permission",
} as const satisfies Record<string, AuthErrorCode>);

/**
 * The fixed message of each code, byte for byte the same in Python.
 *
 * @example
 * MESSAGES.token_expired; // "The token has expired"
 */
export const MESSAGES: Readonly<Record<AuthErrorCode, string>> = Object.freeze({
  missing_token: "Missing bearer token",
  malformed_token: "The token is malformed",
  unsupported_algorithm: "The token algorithm is not allowed",
  unknown_key: "The token was signed by an unknown key",
  jwks_unavailable: "The signing keys cannot be fetched right now",
  invalid_signature: "The token signature is invalid",
  token_expired: "The token has expired",
  token_not_yet_valid: "The token is not valid yet",
  token_revoked: "The token has been revoked",
  invalid_issuer: "The token issuer is not accepted",
  invalid_audience: "The token audience is not accepted",
  invalid_claims: "The token claims are invalid",
  forbidden: "You do not have access to this resource",
  user_required: "This route is for signed-in users, not machine clients",
  insufficient_user_authentication: "This action requires a stronger or more recent sign-in",
  insufficient_role: "This action requires a role you do not have",
  insufficient_permission: "This action requires a permission you do not have",
});

/**
 * The realm of every `WWW-Authenticate` challenge.
 *
 * @example
 * `Bearer realm="${REALM}"`; // what a 401 missing_token carries
 */
export const REALM = "api";

const INSUFFICIENT_SCOPE: ReadonlySet<AuthErrorCode> = new Set(["insufficient_role", "insufficient_permission"]);

/**
 * What a step-up challenge (RFC 9470 §3) asks for: the ACR of multi-factor authentication, a
 * maximum authentication age in seconds, or both, as the route requires them.
 *
 * @example
 * new AuthError("insufficient_user_authentication", { stepUp: { acrValues: MFA_ACR, maxAge: 300 } });
 */
export interface StepUpRequest {
  acrValues?: string | undefined;
  maxAge?: number | undefined;
}

/**
 * @example
 * try { await verifier.verify(token) } catch (err) {
 *   if (err instanceof AuthError && err.code === "token_expired") refresh();
 * }
 */
export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly code: AuthErrorCode;
  readonly detail: string;
  /** Seconds a client should wait before retrying; set on `jwks_unavailable`. */
  readonly retryAfter: number | undefined;
  /** What the client must show to pass: set on `insufficient_user_authentication`. */
  readonly stepUp: Readonly<StepUpRequest> | undefined;

  constructor(code: AuthErrorCode, options: { retryAfter?: number; stepUp?: StepUpRequest } = {}) {
    super(MESSAGES[code]);
    this.code = code;
    this.detail = MESSAGES[code];
    this.retryAfter = options.retryAfter;
    this.stepUp = options.stepUp ? Object.freeze({ ...options.stepUp }) : undefined;
  }

  /** 401 for token failures, 503 when the keys cannot be fetched, 403 for a refused access. */
  get status(): 401 | 403 | 503 {
    if (this.code === "jwks_unavailable") return 503;
    if (this.code === "forbidden" || this.code === "user_required" || INSUFFICIENT_SCOPE.has(this.code)) return 403;
    return 401;
  }

  /** The exact `WWW-Authenticate` value of CONTRACT §3, or `undefined` where none is sent. */
  get wwwAuthenticate(): string | undefined {
    if (this.code === "missing_token") return `Bearer realm="${REALM}"`;
    if (this.code === "jwks_unavailable" || this.code === "forbidden" || this.code === "user_required")
      return undefined;
    if (this.code === "insufficient_user_authentication") return stepUpChallenge(this.detail, this.stepUp);
    // RFC 6750 §3.1: a valid token that lacks the privileges the request needs.
    if (INSUFFICIENT_SCOPE.has(this.code)) {
      return `Bearer realm="${REALM}", error="insufficient_scope", error_description="${this.detail}"`;
    }
    return `Bearer realm="${REALM}", error="invalid_token", error_description="${this.detail}"`;
  }

  /** Response headers of CONTRACT §3 (`WWW-Authenticate` or `Retry-After`). */
  get headers(): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const challenge = this.wwwAuthenticate;
    if (challenge) headers["www-authenticate"] = challenge;
    if (this.code === "jwks_unavailable") headers["retry-after"] = String(this.retryAfter ?? 1);
    return headers;
  }

  /** The contract's response: status, headers and `{"detail","code"}`. */
  toResponse(): Response {
    return new Response(JSON.stringify({ detail: this.detail, code: this.code }), {
      status: this.status,
      headers: this.headers,
    });
  }
}

/** RFC 9470 §3: the challenge names what the route requires, `acr_values` then `max_age`. */
function stepUpChallenge(detail: string, stepUp: StepUpRequest | undefined): string {
  let challenge = `Bearer realm="${REALM}", error="insufficient_user_authentication", error_description="${detail}"`;
  if (stepUp?.acrValues) challenge += `, acr_values="${stepUp.acrValues}"`;
  if (stepUp?.maxAge !== undefined) challenge += `, max_age=${stepUp.maxAge}`;
  return challenge;
}

/**
 * The verifier's configuration is wrong (an option, or the `AUTH_*` variable it came from); the
 * message names it. Thrown when the verifier is built, never per request. A `TypeError`, as
 * before 0.3. Python: `authbridge.ConfigError`.
 *
 * @example
 * try { verifierFromEnv(process.env) } catch (err) {
 *   if (err instanceof ConfigError) { console.error(err.message); process.exit(78) }
 * }
 */
export class ConfigError extends TypeError {
  override readonly name = "ConfigError";
}

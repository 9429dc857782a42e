/** @authbridge/verifier: verify Better Auth EdDSA JWTs exactly as the FastAPI dependency does. */
export { checkPermission, checkRole, checkUser, hasPermission, hasRole } from "./access.js";
export {
  ClientCredentials,
  ClientCredentialsError,
  type ClientCredentialsOptions,
  clientCredentials,
} from "./client-credentials.js";
export { MAX_JSON_DEPTH } from "./encoding.js";
export { optionsFromEnv } from "./env.js";
export {
  AuthError,
  type AuthErrorCode,
  ConfigError,
  ErrorCode,
  MESSAGES,
  REALM,
  type StepUpRequest,
} from "./errors.js";
export { MAX_JWKS_BYTES, MAX_JWKS_KEYS } from "./jwks.js";
export {
  type RevocationList,
  SUPPORTED_ALGORITHMS,
  type SupportedAlgorithm,
  type VerifierLogger,
  type VerifierOptions,
} from "./options.js";
export { type Principal, principalFromClaims } from "./principal.js";
export { MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES } from "./revocations.js";
export { type AuthenticationRequirement, checkAuthentication, hasMfa, MFA_ACR } from "./step-up.js";
export { type AuthorizationSource, createVerifier, MAX_TOKEN_BYTES, parseAuthorization, Verifier } from "./verify.js";

import { envError, optionsFromEnv } from "./env.js";
import type { VerifierOptions } from "./options.js";
import { createVerifier, type Verifier } from "./verify.js";

/**
 * A verifier configured from the contract's `AUTH_*` variables (`AUTH_SERVER_URL` alone is
 * enough); a wrong one throws a `ConfigError` naming the variable. `extra` adds what no variable
 * sets (a `logger`, a `fetch`).
 *
 * It fetches nothing: building one has no side effect, so a script or a test that never
 * verifies makes no request and exits at once. Call `await verifier.warm()` at start-up (as
 * FastAPI's `install_auth` does in its lifespan): the key set is then cached before the first
 * request, and a wrong URL or a down auth server is logged with its URL and status right away.
 *
 * @example
 * const verifier = verifierFromEnv(process.env);
 * await verifier.warm();
 */
export function verifierFromEnv(
  env: Record<string, string | undefined>,
  extra: Pick<VerifierOptions, "logger" | "fetch"> = {},
): Verifier {
  try {
    return createVerifier({ ...optionsFromEnv(env), ...extra });
  } catch (error) {
    throw envError(error);
  }
}

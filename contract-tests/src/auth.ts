/**
 * The real auth server for the contract suites, from the one shared harness
 * (`@authbridge/harness`): in process, so a suite can mint tokens with the real
 * signing key for bad-claim cases and stop its listener for the outage test.
 */
import { type RunningAuthServer, startAuthServer } from "@authbridge/harness";

export { fetchJwt, signUpUser, type User } from "@authbridge/harness";

export const AUDIENCE = "task-api";
export type AuthHandle = RunningAuthServer;

/** The auth server the suites share; `env` adds to (or overrides) its settings. */
export function startAuth(env: Record<string, string> = {}): Promise<AuthHandle> {
  return startAuthServer({
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: "error",
    // The suites sign up dozens of users from one address in seconds.
    RATE_LIMIT_SIGN_IN_MAX: "100000",
    RATE_LIMIT_MAX: "100000",
    JWKS_MAX_AGE_SECONDS: "300",
    TWO_FACTOR_RATE_LIMIT_MAX: "100000",
    MFA_REQUIRED_ROLES: "admin",
    ...env,
  });
}

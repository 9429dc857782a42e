/**
 * Step-up (RFC 9470): whether the user's sign-in was strong enough, and recent enough, for the
 * route, read from the token's `amr` and `auth_time` (CONTRACT §7). Failing is 401
 * `insufficient_user_authentication` with a challenge naming what the route requires, so the
 * client knows to sign in again, with a second factor or afresh. python-backend's `step_up.py`
 * is the twin.
 */
import { AuthError } from "./errors.js";
import type { Principal } from "./principal.js";

/**
 * The ACR value the challenge's `acr_values` names for multi-factor authentication (OpenID
 * PAPE's multi-factor policy, as Auth0 and others ask for step-up).
 *
 * @example
 * err.stepUp?.acrValues === MFA_ACR; // the route wants a second factor
 */
export const MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/** The RFC 8176 value that says more than one factor was shown. */
const MFA = "mfa";

/**
 * What a route requires of the sign-in: a second factor, a sign-in at most `maxAge` seconds old, or both.
 *
 * @example
 * checkAuthentication(c.var.user, { mfa: true, maxAge: 300 });
 */
export interface AuthenticationRequirement {
  mfa?: boolean | undefined;
  maxAge?: number | undefined;
}

/**
 * Whether the user signed in with more than one factor (`amr` holds `mfa`).
 *
 * @example
 * if (!hasMfa(c.var.user)) return c.json({ hint: "turn on two-factor authentication" });
 */
export function hasMfa(user: Principal): boolean {
  return user.amr.includes(MFA);
}

/** `maxAge` if it is a whole number of seconds, 0 or more; `TypeError` otherwise (Python: `checked_max_age`). */
export function checkedMaxAge(maxAge: number | undefined): number | undefined {
  if (maxAge === undefined) return undefined;
  if (!Number.isInteger(maxAge) || maxAge < 0)
    throw new TypeError("authbridge: maxAge is a whole number of seconds, 0 or more");
  return maxAge;
}

/**
 * Throws `insufficient_user_authentication` unless the person's sign-in meets `requirement`
 * (a machine client has no sign-in: `user_required`). `now` is seconds since the epoch.
 *
 * @example
 * checkAuthentication(c.var.user, { mfa: true });          // in a handler
 * checkAuthentication(c.var.user, { maxAge: 300 });        // signed in within five minutes
 */
export function checkAuthentication(
  user: Principal,
  requirement: AuthenticationRequirement,
  now: number = Date.now() / 1000,
): void {
  const maxAge = checkedMaxAge(requirement.maxAge);
  if (!requirement.mfa && maxAge === undefined) throw new TypeError("authbridge: require mfa, a maxAge, or both");
  if (user.kind === "client") throw new AuthError("user_required");
  const strongEnough = !requirement.mfa || hasMfa(user);
  const recentEnough = maxAge === undefined || (user.authTime !== null && now - user.authTime <= maxAge);
  if (strongEnough && recentEnough) return;
  throw new AuthError("insufficient_user_authentication", {
    stepUp: { acrValues: requirement.mfa ? MFA_ACR : undefined, maxAge },
  });
}

/**
 * `MFA_REQUIRED_ROLES` on the auth server's own admin operations (`/api/auth/admin/*`: role
 * changes, bans, machine clients): an admin whose session was not completed with a second
 * factor gets RFC 9470's step-up challenge, 401 `insufficient_user_authentication`, and the
 * operation does not run. Anyone else is left to the endpoint (401 without a session, 403 for
 * a user who is not an admin), so stepping up is only asked of whom it would let in.
 */
import { APIError, createAuthMiddleware } from "better-auth/api";
import { ADMIN_ROLE, splitRoles } from "../roles.js";
import { sessionOf } from "./account.js";
import { AMR, amrOf } from "./amr.js";

/** The ACR value that names multi-factor authentication (OpenID PAPE), as the verifiers' challenge says. */
export const MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

const STEP_UP_MESSAGE = "This operation requires a sign-in completed with a second factor";

export const STEP_UP_CHALLENGE = `Bearer realm="authbridge", error="insufficient_user_authentication", error_description="${STEP_UP_MESSAGE}", acr_values="${MFA_ACR}"`;

export function adminStepUp(mfaRequiredRoles: readonly string[]) {
  const required = mfaRequiredRoles.includes(ADMIN_ROLE);
  return {
    matcher: (ctx: { path?: string }) => required && (ctx.path ?? "").startsWith("/admin/"),
    handler: createAuthMiddleware(async (ctx) => {
      const found = await sessionOf(ctx);
      if (!found || !splitRoles((found.user as { role?: unknown }).role).includes(ADMIN_ROLE)) return;
      if (amrOf((found.session as { amr?: unknown }).amr).includes(AMR.mfa)) return;
      throw new APIError(
        "UNAUTHORIZED",
        { code: "INSUFFICIENT_USER_AUTHENTICATION", message: STEP_UP_MESSAGE },
        { "WWW-Authenticate": STEP_UP_CHALLENGE, "Cache-Control": "no-store" },
      );
    }),
  };
}

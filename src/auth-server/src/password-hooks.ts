/**
 * What Better Auth runs before an endpoint: the account rules wherever a password is set, and a
 * decoy row for resets of unknown addresses (so both cases write alike).
 */
import { randomUUID } from "node:crypto";
import type { AuthContext } from "better-auth";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { checkPassword } from "./account-rules.js";
import { AUDITED } from "./audit.js";
import { CLIENT_IP_HEADER } from "./client-ip.js";
import type { Logger } from "./logger.js";

/** Where a new password arrives, and the field it arrives in. */
const NEW_PASSWORD: Record<string, "password" | "newPassword"> = {
  "/sign-up/email": "password",
  "/change-password": "newPassword",
  "/reset-password": "newPassword",
};

/** Better Auth runs one before hook: the decoy for resets, then the account rules. */
export function beforeHooks(log: Logger) {
  return createAuthMiddleware(async (ctx) => {
    if (ctx.path === "/request-password-reset") await resetDecoy(ctx.context, ctx.body);
    return applyAccountRules(ctx, log);
  });
}

/**
 * A reset for an address with an account writes its token row; Better Auth's answer for an
 * unknown address only reads one, and the write was the measurable difference left once mail
 * went to the background. So an unknown address writes a row too: already expired, so it
 * verifies nothing and Better Auth's periodic clean-up of expired rows removes it.
 */
async function resetDecoy(context: AuthContext, body: unknown): Promise<void> {
  const email = (body as { email?: unknown } | undefined)?.email;
  if (typeof email !== "string") return;
  if (await context.internalAdapter.findUserByEmail(email.toLowerCase())) return;
  await context.internalAdapter.createVerificationValue({
    identifier: `reset-password:decoy-${randomUUID()}`,
    value: "",
    expiresAt: new Date(),
  });
}

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/**
 * Password rules (account-rules.ts) wherever a password is set, and a password change that always
 * signs every other session out: Better Auth does that only when the client asks for it.
 */
async function applyAccountRules(ctx: HookContext, log: Logger) {
  const field = NEW_PASSWORD[ctx.path];
  if (!field || !ctx.body || typeof ctx.body !== "object") return;
  const body = ctx.body as Record<string, unknown>;
  const session = ctx.path === "/change-password" ? await getSessionFromCtx(ctx) : null;
  const email =
    typeof body.email === "string"
      ? body.email
      : ctx.path === "/reset-password"
        ? await resetAccountEmail(ctx.context, body.token)
        : session?.user.email;
  try {
    await checkPassword(body[field], email, typeof body.name === "string" ? body.name : undefined);
  } catch (error) {
    // A refusal here ends the request before the audit hook (an after hook) would see it.
    const failed = AUDITED[ctx.path]?.failed;
    if (failed && error instanceof APIError) {
      const ip = ctx.request?.headers.get(CLIENT_IP_HEADER) ?? undefined;
      log.warn("audit", {
        event: failed,
        status: error.statusCode,
        reason: String(error.body?.code),
        user_id: session?.user.id,
        ip,
      });
    }
    throw error;
  }
  if (ctx.path === "/change-password") return { context: { body: { ...body, revokeOtherSessions: true } } };
  return undefined;
}

/**
 * The email of the account a reset token belongs to, so that a new password is held to the same
 * rules as at sign-up; `undefined` for an unknown token (Better Auth then refuses the reset).
 */
async function resetAccountEmail(context: AuthContext, token: unknown): Promise<string | undefined> {
  if (typeof token !== "string" || !token) return undefined;
  const found = await context.internalAdapter.findVerificationValue(`reset-password:${token}`);
  if (!found) return undefined;
  return (await context.internalAdapter.findUserById(found.value))?.email;
}

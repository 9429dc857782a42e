/**
 * Whose second factor a `/two-factor/*` request is about, read before the plugin runs: the
 * signed-in session's user, or, halfway through a sign-in, the user the signed `two_factor`
 * cookie names. The per-account limit and the replay guard key on it.
 */
import type { GenericEndpointContext } from "better-auth";
import { getSessionFromCtx } from "better-auth/api";

/** The twoFactor plugin's cookie (its `TWO_FACTOR_COOKIE_NAME`) and its table. */
const TWO_FACTOR_COOKIE = "two_factor";
export const TWO_FACTOR_MODEL = "twoFactor";

export interface SecondFactorAccount {
  userId: string;
  /** The session the request carries; absent halfway through a sign-in. */
  session?: { token: string; amr?: unknown };
}

/**
 * The request's headers with a bearer token also as the session cookie, as the `bearer` plugin
 * hands them to the endpoint (a before hook sees the request as it came). The cookie's
 * signature is checked when the session is read, as for any session cookie.
 */
function withBearerSession(ctx: GenericEndpointContext): Headers | undefined {
  const given = ctx.request?.headers ?? ctx.headers;
  const authorization = given?.get("authorization");
  if (!authorization || !/^bearer /i.test(authorization)) return given;
  const token = authorization.slice(7).trim();
  const headers = new Headers(given);
  const cookie = `${ctx.context.authCookies.sessionToken.name}=${token.includes("%") ? token : encodeURIComponent(token)}`;
  headers.set("cookie", [given?.get("cookie"), cookie].filter(Boolean).join("; "));
  return headers;
}

/** The request's session (cookie or bearer token), read in a before hook; null without one. */
export function sessionOf(ctx: GenericEndpointContext) {
  return getSessionFromCtx({ ...ctx, headers: withBearerSession(ctx) }).catch(() => null);
}

export async function accountOf(ctx: GenericEndpointContext): Promise<SecondFactorAccount | undefined> {
  const found = await sessionOf(ctx);
  if (found) return { userId: found.user.id, session: found.session as SecondFactorAccount["session"] };
  const cookie = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE);
  const identifier = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
  if (!identifier) return undefined;
  const pending = await ctx.context.internalAdapter.findVerificationValue(identifier);
  if (!pending || pending.expiresAt.getTime() <= Date.now()) return undefined;
  return { userId: pending.value };
}

export interface TwoFactorRow {
  id: string;
  userId: string;
  secret: string;
  verified?: boolean | null;
  lockedUntil?: Date | string | null;
  failedVerificationCount?: number | null;
  lastUsedStep?: number | null;
}

export async function twoFactorRowOf(ctx: GenericEndpointContext, userId: string): Promise<TwoFactorRow | null> {
  return ctx.context.adapter.findOne<TwoFactorRow>({
    model: TWO_FACTOR_MODEL,
    where: [{ field: "userId", value: userId }],
  });
}

/** Whether the row is locked now (the plugin's `lockedUntil`). */
export function isLocked(row: TwoFactorRow | null): boolean {
  return !!row?.lockedUntil && new Date(row.lockedUntil).getTime() > Date.now();
}

/** The plugin's account lock (passed to it in auth.ts), applied here to signed-in attempts too. */
export const LOCKOUT = { maxFailedAttempts: 10, durationSeconds: 900 } as const;

/**
 * Counts a failed code toward the lock, as the plugin does for a sign-in: the plugin counts
 * only attempts that complete a sign-in, and a stolen session could otherwise guess codes on
 * the step-up path for free.
 */
export async function recordFailure(ctx: GenericEndpointContext, row: TwoFactorRow): Promise<void> {
  const counted = await ctx.context.adapter.incrementOne<TwoFactorRow>({
    model: TWO_FACTOR_MODEL,
    where: [{ field: "id", value: row.id }],
    increment: { failedVerificationCount: 1 },
  });
  if ((counted?.failedVerificationCount ?? 0) < LOCKOUT.maxFailedAttempts) return;
  await ctx.context.adapter.incrementOne({
    model: TWO_FACTOR_MODEL,
    where: [
      { field: "id", value: row.id },
      { field: "failedVerificationCount", operator: "gte", value: LOCKOUT.maxFailedAttempts },
    ],
    increment: {},
    set: { lockedUntil: new Date(Date.now() + LOCKOUT.durationSeconds * 1000) },
  });
}

/**
 * The Better Auth instance: email + password, EdDSA JWTs carrying only the contract's claims,
 * bearer sessions, rate limits keyed by a client IP this server decides, and audit hooks.
 */
import { randomUUID } from "node:crypto";
import { type AuthContext, betterAuth } from "better-auth";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { admin, bearer, jwt } from "better-auth/plugins";
import type { JwtOptions } from "better-auth/plugins/jwt";
import { checkImage, checkName, checkPassword } from "./account-rules.js";
import { adminGrantIdentifier, isAdminAddress } from "./admin-emails.js";
import { CLIENT_IP_HEADER } from "./client-ip.js";
import type { AuthServerConfig } from "./config.js";
import type { AuthDatabase } from "./database.js";
import type { Logger } from "./logger.js";
import type { Mailer } from "./mailer.js";
import type { RedisHandle } from "./redis.js";
import { ADMIN_ROLE, DEFAULT_ROLE, permissionsFor, splitRoles } from "./roles.js";
import type { SigningKeyCache } from "./signing.js";

/** The JWT plugin's options, shared with key management so both mint keys the same way. */
export function jwtPluginOptions(config: AuthServerConfig): JwtOptions {
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
      definePayload: ({ user }) => tokenPayload(user),
    },
  };
}

/**
 * `__Host-` cookies over https in production: Secure, `Path=/`, no `Domain`, so no other host or
 * path can set or shadow the session. Better Auth only ever prefixes `__Secure-`, so the names
 * carry the prefix themselves and `Secure` is set per cookie.
 */
function hostOnlyCookies(config: AuthServerConfig) {
  if (config.nodeEnv !== "production" || !config.baseURL.startsWith("https://")) return {};
  const hostOnly = (name: string) => ({ name: `__Host-authbridge.${name}`, attributes: { secure: true, path: "/" } });
  return {
    useSecureCookies: false,
    cookies: {
      session_token: hostOnly("session_token"),
      session_data: hostOnly("session_data"),
      account_data: hostOnly("account_data"),
      dont_remember: hostOnly("dont_remember"),
    },
  };
}

/** CONTRACT §1: a minimal payload, never the whole user row (`sub`, iss, aud, iat, exp come with signing). */
export function tokenPayload(user: { email: string; name: string; emailVerified: boolean; role?: unknown }) {
  return {
    email: user.email,
    name: user.name,
    email_verified: user.emailVerified,
    ...accessClaims(user.role),
  };
}

/** `role` as the admin plugin stores it (normalised), and the permissions its roles grant. */
function accessClaims(stored: unknown): { role?: string; permissions?: string[] } {
  const roles = splitRoles(stored);
  if (roles.length === 0) return {};
  const permissions = permissionsFor(roles);
  return { role: roles.join(","), ...(permissions.length > 0 ? { permissions } : {}) };
}

export interface AuthDependencies {
  /** Signs every token with the cached imported key (`signing.ts`). */
  signer: SigningKeyCache;
  /** Verification, reset and "someone tried to register" mails. */
  mailer: Mailer;
  /** Shared session cache across replicas, when `REDIS_URL` is set. */
  redis?: RedisHandle | undefined;
  /**
   * Runs work the answer must not wait for (sending mail): a reset or sign-up that waited for
   * SMTP would take longer for an address with an account than for one without.
   */
  background: (task: Promise<unknown>) => void;
}

/**
 * Whoever signs up first with an ADMIN_EMAILS address chose its password; the owner's click makes
 * that account an admin. The owner is the one reading this mail, so the mail says so (it tells
 * nobody else anything).
 */
const ADMIN_NOTICE =
  "\nThis address is an administrator address of this service. Confirm it only if you created this account yourself, just now: whoever chose its password becomes an administrator when you confirm. If it was not you, do not open the link, and tell your administrators.\n";

/** The stored (lower-cased) address against ADMIN_EMAILS in any case: for the mail's warning only. */
const mayBecomeAdmin = (entries: AuthServerConfig["adminEmails"], email: string) =>
  entries.some((entry) => `${entry.local}@${entry.domain}`.toLowerCase() === email.toLowerCase());

/** How long an eligible account may take to verify and still become admin (resends included). */
const ADMIN_GRANT_TTL_MS = 365 * 24 * 3600 * 1000;

export function createAuth(config: AuthServerConfig, database: AuthDatabase, log: Logger, deps: AuthDependencies) {
  const jwtOptions = jwtPluginOptions(config);
  return betterAuth({
    appName: "authbridge",
    baseURL: config.baseURL,
    secret: config.secret,
    ...(config.secrets ? { secrets: [...config.secrets] } : {}),
    database: database.handle,
    trustedOrigins: [...config.trustedOrigins],
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 12,
      maxPasswordLength: 128,
      // With verification required, sign-in waits for it, and sign-up answers an existing email
      // exactly as a new one (Better Auth hashes the password either way) while its owner is told.
      requireEmailVerification: config.requireEmailVerification,
      resetPasswordTokenExpiresIn: config.passwordResetTtlSeconds,
      revokeSessionsOnPasswordReset: true,
      // The answer for an email that has an account: every field as a new account's has it
      // (Better Auth's own leaves the admin plugin's `role` null, which tells the two apart).
      customSyntheticUser: ({ coreFields, additionalFields, id }) => ({
        ...coreFields,
        ...additionalFields,
        role: DEFAULT_ROLE,
        banned: false,
        banReason: null,
        banExpires: null,
        id,
      }),
      sendResetPassword: async ({ user, url }) =>
        deps.mailer.send({
          kind: "password_reset",
          to: user.email,
          subject: "Reset your password",
          text: `Someone (hopefully you) asked to reset the password of your account.\n\nSet a new one here, within ${Math.round(config.passwordResetTtlSeconds / 60)} minutes:\n${url}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
        }),
      onExistingUserSignUp: async ({ user }) =>
        deps.mailer.send({
          kind: "existing_account",
          to: user.email,
          subject: "Someone tried to create an account with your email",
          text: `Someone tried to sign up with this email address, which already has an account.\n\nIf it was you, sign in instead, or reset your password from the sign-in page.\nIf it was not you, nothing changed and you need do nothing.\n`,
        }),
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: config.emailVerificationTtlSeconds,
      sendVerificationEmail: async ({ user, url }) =>
        deps.mailer.send({
          kind: "verification",
          to: user.email,
          subject: "Confirm your email address",
          text: `Confirm the email address of your new account by opening this link:\n${url}\n\nIt is valid for ${Math.round(config.emailVerificationTtlSeconds / 3600)} hours. If you did not sign up, ignore this mail.\n${mayBecomeAdmin(config.adminEmails, user.email) ? ADMIN_NOTICE : ""}`,
        }),
    },
    ...(deps.redis
      ? {
          secondaryStorage: deps.redis.storage,
          // Redis is the fast, shared copy; the database stays the record (and survives a Redis flush).
          session: { storeSessionInDatabase: true },
        }
      : {}),
    plugins: [
      jwt({
        ...jwtOptions,
        // Better Auth requires a JWKS URL with a custom signer; this server serves it (jwks.ts).
        jwks: { ...jwtOptions.jwks, remoteUrl: `${config.baseURL}/api/auth/jwks` },
        jwt: { ...jwtOptions.jwt, sign: deps.signer.sign },
      }),
      // A bearer token must carry its HMAC signature (as `set-auth-token` hands it out), so a
      // session row read from a leaked database is not a session.
      bearer({ requireSignature: true }),
      admin({ defaultRole: DEFAULT_ROLE, adminRoles: [ADMIN_ROLE] }),
    ],
    databaseHooks: {
      user: {
        create: {
          before: async (user) => {
            checkName(user.name);
            checkImage(user.image, config.nodeEnv !== "production");
          },
          after: async (user, ctx): Promise<void> => {
            // ADMIN_EMAILS (admin-emails.ts): the address as typed, granted once it is verified.
            const typed = (ctx?.body as { email?: unknown } | undefined)?.email;
            if (!ctx || !isAdminAddress(config.adminEmails, typed)) return;
            if (user.emailVerified) return grantAdmin(ctx.context, user.id, log);
            await ctx.context.internalAdapter.createVerificationValue({
              identifier: adminGrantIdentifier(user.id),
              value: user.id,
              expiresAt: new Date(Date.now() + ADMIN_GRANT_TTL_MS),
            });
          },
        },
        update: {
          before: async (user) => {
            checkName(user.name);
            checkImage(user.image, config.nodeEnv !== "production");
          },
          after: async (user, ctx): Promise<void> => {
            if (!ctx || !user.emailVerified) return;
            const pending = await ctx.context.internalAdapter.findVerificationValue(adminGrantIdentifier(user.id));
            if (!pending) return;
            await ctx.context.internalAdapter.deleteVerificationByIdentifier(adminGrantIdentifier(user.id));
            if (pending.expiresAt.getTime() > Date.now()) await grantAdmin(ctx.context, user.id, log);
          },
        },
      },
    },
    // The app limits every request before Better Auth sees it (rate-limit.ts), shared through
    // Redis across replicas; Better Auth's own limiter would count a second time, per process.
    rateLimit: { enabled: false },
    advanced: {
      ...hostOnlyCookies(config),
      backgroundTasks: { handler: deps.background },
      // Better Auth turns both checks off when NODE_ENV=test or TEST is set; never inherit that.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      // The only IP header Better Auth reads is the one the app sets from the socket (client-ip.ts).
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    logger: {
      level: config.logLevel === "silent" ? "error" : config.logLevel === "debug" ? "debug" : "warn",
      disabled: config.logLevel === "silent",
      // Only the message: Better Auth's extra arguments can hold request data.
      log: (level, message) => log[level]("better-auth", { detail: message }),
    },
    hooks: { before: beforeHooks(log), after: auditHook(log) },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** Adds `admin` to the account's roles (ADMIN_EMAILS, once the address is verified); audited. */
async function grantAdmin(context: Pick<AuthContext, "internalAdapter">, userId: string, log: Logger) {
  const found = await context.internalAdapter.findUserById(userId);
  const roles = splitRoles((found as { role?: unknown } | null)?.role);
  if (!found || roles.includes(ADMIN_ROLE)) return;
  const role = [ADMIN_ROLE, ...roles.filter((r) => r !== DEFAULT_ROLE)].join(",");
  await context.internalAdapter.updateUser(userId, { role });
  log.info("audit", { event: "role.changed", user_id: userId, role, by: "ADMIN_EMAILS" });
}

/** Where a new password arrives, and the field it arrives in. */
const NEW_PASSWORD: Record<string, "password" | "newPassword"> = {
  "/sign-up/email": "password",
  "/change-password": "newPassword",
  "/reset-password": "newPassword",
};

/** Better Auth runs one before hook: the decoy for resets, then the account rules. */
function beforeHooks(log: Logger) {
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

const AUDITED: Record<string, { ok: string; failed?: string }> = {
  "/sign-up/email": { ok: "sign_up", failed: "sign_up.failure" },
  "/sign-in/email": { ok: "sign_in.success", failed: "sign_in.failure" },
  "/token": { ok: "token.issued" },
  "/get-session": { ok: "token.issued" },
  "/change-password": { ok: "password.changed", failed: "password.change_failure" },
  "/request-password-reset": { ok: "password_reset.requested" },
  "/reset-password": { ok: "password_reset.completed", failed: "password_reset.failure" },
  "/verify-email": { ok: "email.verified", failed: "email.verification_failure" },
  "/revoke-session": { ok: "session.revoked" },
  "/revoke-sessions": { ok: "session.revoked" },
  "/revoke-other-sessions": { ok: "session.revoked" },
  "/sign-out": { ok: "sign_out" },
};

function reasonOf(error: unknown): string {
  const { body, status } = error as { body?: { code?: unknown }; status?: unknown };
  return String(body?.code ?? status ?? "error");
}

/** Events that only happen to a signed-in user: without a session the call did nothing. */
const SESSION_EVENTS = new Set([
  "/sign-up/email",
  "/sign-in/email",
  "/token",
  "/get-session",
  "/change-password",
  "/sign-out",
]);

/** The HTTP status of what an endpoint threw: Better Auth's errors and better-call's carry one. */
function statusOf(error: unknown): number {
  if (error instanceof APIError) return error.statusCode;
  const status =
    (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  // Better Auth's and better-call's APIError are two classes; both carry a numeric status.
  return typeof status === "number" && status >= 100 && status < 600 ? status : 500;
}

/** Admin plugin endpoints: every call is an audit event, refused ones included. */
function adminEvents(path: string): { ok: string; failed: string } | undefined {
  if (!path.startsWith("/admin/")) return undefined;
  const action = path
    .slice("/admin/".length)
    .replace(/[^a-z-]/g, "")
    .replace(/-/g, "_");
  return { ok: `admin.${action}`, failed: `admin.${action}.failure` };
}

/** The account an admin call acts on, from its body or query (ids only). */
function targetOf(ctx: { body?: unknown; query?: unknown }): string | undefined {
  for (const source of [ctx.body, ctx.query]) {
    if (source && typeof source === "object") {
      const { userId, id } = source as { userId?: unknown; id?: unknown };
      if (typeof userId === "string") return userId;
      if (typeof id === "string") return id;
    }
  }
  return undefined;
}

/** Audit events carry ids and outcomes only, never a password, session token or JWT. */
function auditHook(log: Logger) {
  return createAuthMiddleware(async (ctx) => {
    const adminCall = adminEvents(ctx.path);
    const events = AUDITED[ctx.path] ?? adminCall;
    if (!events) return;
    const returned = ctx.context.returned;
    const ip = ctx.request?.headers.get(CLIENT_IP_HEADER) ?? undefined;
    const target = adminCall ? { target_id: targetOf(ctx) } : {};
    // A redirect (a verified email going back to the app) is thrown as an APIError too.
    const failed = (returned instanceof APIError || returned instanceof Error) && statusOf(returned) >= 400;
    if (failed) {
      if (events.failed) {
        log.warn("audit", {
          event: events.failed,
          status: statusOf(returned),
          reason: reasonOf(returned),
          user_id: adminCall ? ctx.context.session?.user.id : undefined,
          ...target,
          ip,
        });
      }
      return;
    }
    const session = ctx.context.newSession ?? ctx.context.session;
    // A password reset or an email verification happens without a session; a token needs one.
    if (!session && SESSION_EVENTS.has(ctx.path)) return;
    const role = ctx.path === "/admin/set-role" ? { role: roleOf(ctx.body) } : {};
    log.info("audit", { event: events.ok, user_id: session?.user.id, ...target, ...role, ip });
  });
}

function roleOf(body: unknown): string | undefined {
  const role = (body as { role?: unknown } | undefined)?.role;
  return Array.isArray(role) ? role.join(",") : typeof role === "string" ? role : undefined;
}

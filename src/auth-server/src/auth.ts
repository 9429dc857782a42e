/**
 * The Better Auth instance: email + password, EdDSA JWTs carrying only the contract's claims,
 * bearer sessions, rate limits keyed by a client IP this server decides, and audit hooks.
 */
import { type AuthContext, betterAuth } from "better-auth";
import { admin, bearer, jwt, twoFactor } from "better-auth/plugins";
import { checkImage, checkName } from "./account-rules.js";
import { adminGrantIdentifier, isAdminAddress } from "./admin-emails.js";
import { auditHook } from "./audit.js";
import { CLIENT_IP_HEADER } from "./client-ip.js";
import { machineClients } from "./clients/plugin.js";
import type { AuthServerConfig } from "./config.js";
import type { AuthDatabase } from "./database.js";
import { jwtPluginOptions } from "./jwt-options.js";
import type { Logger } from "./logger.js";
import type { Mailer } from "./mailer.js";
import { beforeHooks } from "./password-hooks.js";
import type { RateLimits } from "./rate-limit.js";
import type { RedisHandle } from "./redis.js";
import { sessionRevocation } from "./revocation/plugin.js";
import { sessionIds } from "./revocation/session-id.js";
import { ADMIN_ROLE, DEFAULT_ROLE, splitRoles } from "./roles.js";
import type { SigningKeyCache } from "./signing.js";
import { LOCKOUT } from "./two-factor/account.js";
import { secondFactor } from "./two-factor/plugin.js";
import { TOTP } from "./two-factor/replay.js";

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
  /** The limiters the app applies in front (the second factor's per-account one is applied here). */
  limits: RateLimits;
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
      admin({ defaultRole: DEFAULT_ROLE, adminRoles: [ADMIN_ROLE] }),
      // OAuth client credentials for services and partners (clients/): their table and admin endpoints.
      machineClients(log),
      // Every ended session is listed by its `sid` for the revocation feed (revocation/).
      sessionRevocation(sessionIds(config)),
      // TOTP and backup codes with the plugin's own endpoints and lock; two-factor/ adds the
      // session's amr, single-use codes, per-account limits, audit and mail, and the step-up.
      twoFactor({
        totpOptions: { digits: TOTP.digits, period: TOTP.period },
        backupCodeOptions: { storeBackupCodes: "encrypted" },
        accountLockout: { enabled: true, ...LOCKOUT },
      }),
      secondFactor({
        log,
        mailer: deps.mailer,
        background: deps.background,
        limits: deps.limits,
        mfaRequiredRoles: config.twoFactor.mfaRequiredRoles,
      }),
      // After twoFactor: its after hook withdraws a sign-in's session before this one would
      // hand that session out in `set-auth-token`.
      // A bearer token must carry its HMAC signature (as `set-auth-token` hands it out), so a
      // session row read from a leaked database is not a session.
      bearer({ requireSignature: true }),
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

/** The instance's context with Better Auth's general type: what plugins' helpers (and ours) take. */
export async function contextOf(auth: Auth): Promise<AuthContext> {
  // The instance's own type carries its plugin list; every helper takes the general one.
  return (await auth.$context) as unknown as AuthContext;
}

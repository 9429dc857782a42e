/**
 * The Better Auth instance: email + password, EdDSA JWTs carrying only the contract's claims,
 * bearer sessions, rate limits keyed by a client IP this server decides, and audit hooks.
 */
import { betterAuth } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { bearer, jwt } from "better-auth/plugins";
import type { JwtOptions } from "better-auth/plugins/jwt";
import { CLIENT_IP_HEADER } from "./client-ip.js";
import type { AuthServerConfig } from "./config.js";
import type { AuthDatabase } from "./database.js";
import type { Logger } from "./logger.js";

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
      // CONTRACT §1: a minimal payload, never the whole user row. `sub` is set by Better Auth.
      definePayload: ({ user }) => ({
        email: user.email,
        name: user.name,
        email_verified: user.emailVerified,
      }),
    },
  };
}

export function createAuth(config: AuthServerConfig, database: AuthDatabase, log: Logger) {
  return betterAuth({
    appName: "authbridge",
    baseURL: config.baseURL,
    secret: config.secret,
    ...(config.secrets ? { secrets: [...config.secrets] } : {}),
    database: database.handle,
    trustedOrigins: [...config.trustedOrigins],
    telemetry: { enabled: false },
    emailAndPassword: { enabled: true, minPasswordLength: 12, maxPasswordLength: 128 },
    plugins: [jwt(jwtPluginOptions(config)), bearer()],
    rateLimit: {
      // Better Auth only limits in production by default; a sign-in endpoint is never unguarded.
      enabled: true,
      storage: "memory",
      window: config.rateLimit.windowSeconds,
      max: config.rateLimit.max,
      customRules: {
        "/sign-in/*": { window: config.rateLimit.signInWindowSeconds, max: config.rateLimit.signInMax },
        "/sign-up/*": { window: config.rateLimit.signInWindowSeconds, max: config.rateLimit.signInMax },
      },
    },
    advanced: {
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
    hooks: { after: auditHook(log) },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const AUDITED: Record<string, { ok: string; failed?: string }> = {
  "/sign-up/email": { ok: "sign_up", failed: "sign_up.failure" },
  "/sign-in/email": { ok: "sign_in.success", failed: "sign_in.failure" },
  "/token": { ok: "token.issued" },
  "/get-session": { ok: "token.issued" },
};

/** Audit events carry ids and outcomes only, never a password, session token or JWT. */
function auditHook(log: Logger) {
  return createAuthMiddleware(async (ctx) => {
    const events = AUDITED[ctx.path];
    if (!events) return;
    const returned = ctx.context.returned;
    const ip = ctx.request?.headers.get(CLIENT_IP_HEADER) ?? undefined;
    if (returned instanceof APIError || returned instanceof Error) {
      if (events.failed) {
        log.warn("audit", {
          event: events.failed,
          status: returned instanceof APIError ? returned.statusCode : 500,
          reason: returned instanceof APIError ? String(returned.body?.code ?? returned.status) : "error",
          ip,
        });
      }
      return;
    }
    const session = ctx.context.newSession ?? ctx.context.session;
    if (!session) return;
    log.info("audit", { event: events.ok, user_id: session.user.id, ip });
  });
}

/**
 * Rate limits in front of Better Auth, keyed by rule and client IP (`client-ip.ts`). With Redis
 * the counters are shared, so a limit holds across any number of replicas (atomic increments
 * in Redis, by rate-limiter-flexible); without it they live in this process. Either way the
 * keys are one per rule and client, so junk requests cannot evict anyone's counter (Better
 * Auth's memory store kept one capped table of every path and dropped the oldest entries).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { AuthServerConfig } from "./config.js";

/** Endpoints that check a credential or send mail: the sign-in strictness. */
const CREDENTIAL_PATHS = [
  /^\/api\/auth\/sign-in\//,
  /^\/api\/auth\/sign-up\//,
  /^\/api\/auth\/verify-password$/,
  /^\/api\/auth\/change-password$/,
  /^\/api\/auth\/change-email$/,
  /^\/api\/auth\/request-password-reset$/,
  /^\/api\/auth\/forget-password$/,
  /^\/api\/auth\/reset-password(\/|$)/,
  /^\/api\/auth\/send-verification-email$/,
  /^\/api\/auth\/delete-user$/,
];
/** Second-factor endpoints (codes, and the password that turns 2FA on or off): the strictest limit. */
const SECOND_FACTOR_PATH = /^\/api\/auth\/two-factor\//;
const JWKS_PATHS = new Set(["/api/auth/jwks", "/.well-known/jwks.json"]);

/** Verifiers fetch the JWKS rarely and behind caches; a generous limit still stops a flood. */
const JWKS_FACTOR = 10;

export interface RateLimits {
  /** Sign-in and other credential checks, per client IP (also failed client authentications). */
  readonly credentials: RateLimiterAbstract;
  readonly jwks: RateLimiterAbstract;
  /** Every other request, per client IP. */
  readonly general: RateLimiterAbstract;
  /** Tokens issued to one machine client (`CLIENT_TOKEN_RATE_LIMIT_*`), per client id. */
  readonly clientTokens: RateLimiterAbstract;
  /** `/api/auth/two-factor/*`, per client IP (`TWO_FACTOR_RATE_LIMIT_*`). */
  readonly secondFactor: RateLimiterAbstract;
  /** The same limit per account, whatever the address (two-factor/plugin.ts): many IPs guess no faster. */
  readonly secondFactorAccount: RateLimiterAbstract;
}

/** The limiters, shared through Redis when it is configured. */
export function createRateLimits(config: AuthServerConfig, redis: Redis | undefined): RateLimits {
  const { windowSeconds, max, signInWindowSeconds, signInMax } = config.rateLimit;
  const limiter = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration });
    if (!redis) return memory;
    // While Redis is unreachable each process limits on its own rather than not at all.
    return new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `authbridge:rl:${name}`,
      points,
      duration,
      insuranceLimiter: memory,
    });
  };
  return {
    credentials: limiter("credentials", signInMax, signInWindowSeconds),
    jwks: limiter("jwks", max * JWKS_FACTOR, windowSeconds),
    general: limiter("general", max, windowSeconds),
    clientTokens: limiter("client-tokens", config.clients.rateLimitMax, config.clients.rateLimitWindowSeconds),
    secondFactor: limiter("two-factor", config.twoFactor.rateLimitMax, config.twoFactor.rateLimitWindowSeconds),
    secondFactorAccount: limiter(
      "two-factor-account",
      config.twoFactor.rateLimitMax,
      config.twoFactor.rateLimitWindowSeconds,
    ),
  };
}

/** Seconds until `rejection`'s window frees a point (at least 1): the `Retry-After` value. */
export function retryAfterOf(rejection: RateLimiterRes): string {
  return String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
}

/**
 * Consumes a point of `limiter` for `key`: `undefined` when the request may go on, else the
 * seconds to wait. Any other failure (Redis down with no insurance) is thrown.
 */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<string | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return retryAfterOf(rejection);
  }
}

/**
 * The rate-limit middleware for `/api/auth/*` and the JWKS. `skip` lists paths that limit
 * themselves (the OAuth token endpoint answers in OAuth's error shape).
 */
export function rateLimitMiddleware(
  limits: RateLimits,
  clientIp: (c: Context) => string | undefined,
  skip: ReadonlySet<string> = new Set(),
): MiddlewareHandler {
  const ruleOf = (path: string) =>
    SECOND_FACTOR_PATH.test(path)
      ? limits.secondFactor
      : CREDENTIAL_PATHS.some((pattern) => pattern.test(path))
        ? limits.credentials
        : JWKS_PATHS.has(path)
          ? limits.jwks
          : limits.general;

  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method === "OPTIONS" || skip.has(c.req.path)) return next();
    const retry = await consume(ruleOf(c.req.path), clientIp(c) ?? "unknown");
    if (retry !== undefined) {
      return c.json({ code: "TOO_MANY_REQUESTS", message: "Too many requests. Please try again later." }, 429, {
        "Retry-After": retry,
        "X-Retry-After": retry,
      });
    }
    return next();
  };
  return middleware;
}

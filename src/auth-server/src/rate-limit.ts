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
const JWKS_PATHS = new Set(["/api/auth/jwks", "/.well-known/jwks.json"]);

/** Verifiers fetch the JWKS rarely and behind caches; a generous limit still stops a flood. */
const JWKS_FACTOR = 10;

/** The rate-limit middleware for `/api/auth/*` and the JWKS. */
export function createRateLimits(
  config: AuthServerConfig,
  redis: Redis | undefined,
  clientIp: (c: Context) => string | undefined,
): MiddlewareHandler {
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
  const credentials = limiter("credentials", signInMax, signInWindowSeconds);
  const jwks = limiter("jwks", max * JWKS_FACTOR, windowSeconds);
  const general = limiter("general", max, windowSeconds);
  const ruleOf = (path: string) =>
    CREDENTIAL_PATHS.some((pattern) => pattern.test(path)) ? credentials : JWKS_PATHS.has(path) ? jwks : general;

  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method === "OPTIONS") return next();
    const ip = clientIp(c) ?? "unknown";
    try {
      await ruleOf(c.req.path).consume(ip);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retry = String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      return c.json({ code: "TOO_MANY_REQUESTS", message: "Too many requests. Please try again later." }, 429, {
        "Retry-After": retry,
        "X-Retry-After": retry,
      });
    }
    return next();
  };
  return middleware;
}

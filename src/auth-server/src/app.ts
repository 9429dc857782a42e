/**
 * The auth server as a Hono app: Better Auth under `/api/auth/*`, the JWKS with caching
 * headers (also at `/.well-known/jwks.json`), health checks, CORS, security headers, body
 * limits and request logs. `createAuthServer` opens the database, migrates it and mints a
 * signing key, so a returned server is ready to sign.
 */
import type { AuthContext } from "better-auth";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { type Auth, contextOf, createAuth } from "./auth.js";
import { type ClientIpResolver, clientIpResolver, withClientIp } from "./client-ip.js";
import { DISCOVERY_PATH, discoveryHandler } from "./clients/discovery.js";
import { TOKEN_PATH, tokenEndpoint } from "./clients/token-endpoint.js";
import type { AuthServerConfig } from "./config.js";
import { type AuthDatabase, openDatabase } from "./database.js";
import { jwksHandler } from "./jwks.js";
import { jwtPluginOptions } from "./jwt-options.js";
import { announceKeyChange, type KeyChangeListener, listenForKeyChanges } from "./key-events.js";
import { assertCanSign, currentSigningKeyId, ensureSigningKey, revokeSigningKey, rotateSigningKey } from "./keys.js";
import { createLogger, type Logger, type LogSink } from "./logger.js";
import { createMailer } from "./mailer.js";
import { migrate } from "./migrate.js";
import { createRateLimits, type RateLimits, rateLimitMiddleware } from "./rate-limit.js";
import { openRedis, type RedisHandle } from "./redis.js";
import { betterAuthRoutes, routeNamer } from "./request-log.js";
import { REVOCATIONS_PATH, revocationFeed } from "./revocation/feed.js";
import { SigningKeyCache } from "./signing.js";
import { tokenRoute } from "./token-route.js";

/** Bodies of auth requests are small JSON documents; anything larger is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;

export interface AuthServer {
  readonly app: Hono;
  readonly auth: Auth;
  readonly config: AuthServerConfig;
  readonly log: Logger;
  readonly database: AuthDatabase;
  readonly redis: RedisHandle | undefined;
  /** Signs with the live key (every token this server issues goes through it). */
  readonly signer: SigningKeyCache;
  /** Retires the live signing key and mints its successor (under the key lock); audited. */
  rotateKey(): Promise<{ previous: string[]; kid: string }>;
  /** Removes a key from the JWKS at once (a compromised key), minting a successor if it was live; audited. */
  revokeKey(kid: string): Promise<{ revoked: string; minted: string | undefined }>;
  close(): Promise<void>;
}

export interface CreateAuthServerOptions {
  /** Where log lines go. @default stdout */
  logSink?: LogSink;
  /**
   * Listen for key changes other processes announce (PostgreSQL). Off for the CLIs, which
   * announce and exit. @default true
   */
  listenForKeyChanges?: boolean;
}

export async function createAuthServer(
  config: AuthServerConfig,
  options: CreateAuthServerOptions = {},
): Promise<AuthServer> {
  const log = createLogger(config.logLevel, options.logSink);
  const database = openDatabase(config);
  const redis = config.redisUrl ? openRedis(config.redisUrl, log) : undefined;
  const mailer = createMailer(config.mail.smtpUrl, config.mail.from, log);
  // Mail goes out after the answer; closing waits for what is still being sent.
  const background = new Set<Promise<unknown>>();
  const runInBackground = (task: Promise<unknown>) => {
    const tracked = task.catch(() => undefined).finally(() => background.delete(tracked));
    background.add(tracked);
  };
  const clientIp = clientIpResolver(config.trustProxyHeader, config.trustedProxies);
  let keyChanges: KeyChangeListener | undefined;
  const close = async () => {
    clientIp.close();
    await keyChanges?.close();
    await Promise.allSettled([...background]);
    mailer.close();
    await redis?.close();
    await database.close();
  };
  try {
    const ensureKey = async (context: AuthContext) => {
      const { kid, created } = await ensureSigningKey(context, config, database);
      if (created) log.info("signing key created", { event: "key.created", kid });
    };
    const signer = new SigningKeyCache({
      jwt: jwtPluginOptions(config),
      refreshMs: config.jwt.keyCacheSeconds * 1000,
      ensureKey,
      changedElsewhere: () => database.changedElsewhere(),
    });
    const limits = createRateLimits(config, redis?.client);
    const auth = createAuth(config, database, log, { signer, redis, mailer, background: runInBackground, limits });
    await migrate(auth, database);
    const context = await contextOf(auth);
    await ensureKey(context);
    await assertCanSign(auth);
    if (options.listenForKeyChanges !== false) {
      keyChanges = await listenForKeyChanges(config.databaseUrl, log, () => signer.invalidate());
    }
    const rotateKey = async () => {
      const rotated = await rotateSigningKey(context, config, database);
      signer.invalidate();
      await announceKeyChange(database);
      log.info("signing key rotated", { event: "key.rotated", kid: rotated.kid, previous: rotated.previous.join(",") });
      return rotated;
    };
    const revokeKey = async (kid: string) => {
      const result = await revokeSigningKey(context, config, database, kid);
      signer.invalidate();
      await announceKeyChange(database);
      log.warn("signing key revoked", { event: "key.revoked", kid, minted: result.minted });
      return result;
    };
    const app = buildApp({ config, auth, database, redis, signer, log, clientIp, limits });
    return { app, auth, config, log, database, redis, signer, rotateKey, revokeKey, close };
  } catch (error) {
    await close();
    throw error;
  }
}

interface AppParts {
  config: AuthServerConfig;
  auth: Auth;
  database: AuthDatabase;
  redis: RedisHandle | undefined;
  signer: SigningKeyCache;
  log: Logger;
  clientIp: ClientIpResolver;
  limits: RateLimits;
}

function buildApp({ config, auth, database, redis, signer, log, clientIp, limits }: AppParts): Hono {
  const app = new Hono();
  const trusted = new Set(config.trustedOrigins);

  // Filled in once every route is registered (below).
  let routeOf: (path: string) => string = () => "(unmatched)";
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The route pattern only: a path (`/reset-password/<token>`) or a query string can carry a secret.
    log.info("request", {
      request_id: c.get("requestId"),
      method: c.req.method,
      route: routeOf(c.req.path),
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  app.use(secureHeaders());
  app.use(
    cors({
      origin: (origin) => (trusted.has(origin) ? origin : null),
      credentials: true,
      allowHeaders: ["Content-Type", "Authorization"],
      allowMethods: ["GET", "POST", "OPTIONS"],
      // Better Auth's client reads these two; listing headers here replaces its own list.
      exposeHeaders: ["set-auth-jwt", "set-auth-token"],
      maxAge: 600,
    }),
  );

  app.onError((error, c) => {
    log.error("unhandled error", { request_id: c.get("requestId"), error: error.name });
    return c.json({ error: "internal_error" }, 500);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await database.ping();
      const kid = await currentSigningKeyId(await contextOf(auth));
      if (!kid) return c.json({ status: "unavailable", reason: "no signing key" }, 503);
    } catch {
      return c.json({ status: "unavailable", reason: "database unreachable" }, 503);
    }
    try {
      await redis?.ping();
    } catch {
      return c.json({ status: "unavailable", reason: "redis unreachable" }, 503);
    }
    return c.json({ status: "ok", database: database.kind, ...(redis ? { redis: "ok" } : {}) });
  });

  // The token endpoint limits itself, to answer in OAuth's error shape.
  // The revocation feed is not limited per address: every verifier process behind one NAT polls
  // it every few seconds, and answering it costs a memory read (or a 304).
  const limited = rateLimitMiddleware(limits, clientIp, new Set([TOKEN_PATH, REVOCATIONS_PATH]));
  app.use("/api/auth/*", limited);
  app.use("/.well-known/*", limited);

  app.get(DISCOVERY_PATH, discoveryHandler(config));

  const jwks = jwksHandler(auth, { maxAgeSeconds: config.jwksMaxAgeSeconds, graceSeconds: config.jwt.graceSeconds });
  app.get("/.well-known/jwks.json", jwks);
  app.get("/api/auth/jwks", jwks);
  app.get(
    REVOCATIONS_PATH,
    revocationFeed(() => contextOf(auth), {
      userTokenTtlSeconds: config.jwt.ttlSeconds,
      clientTokenTtlSeconds: config.clients.tokenTtlSeconds,
    }),
  );

  // POST only: Better Auth reads no GET body, and asking a GET for its body builds a whole
  // Request object on every call.
  app.on(
    "POST",
    "/api/auth/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      // Connection: close, so a keep-alive client does not send its next request on a socket
      // whose unread body the server is about to drop.
      onError: (c) =>
        c.json({ code: "PAYLOAD_TOO_LARGE", message: "request body too large" }, 413, { Connection: "close" }),
    }),
  );
  const betterAuth = (c: Context) => auth.handler(withClientIp(c.req.raw, clientIp(c)));
  // Every page load asks for a token: the common case skips Better Auth's per-request cost.
  app.get("/api/auth/token", tokenRoute({ auth, config, signer, log, clientIp, fallback: betterAuth }));
  app.post(TOKEN_PATH, tokenEndpoint({ auth, config, signer, log, limits, clientIp }));
  app.on(["GET", "POST"], "/api/auth/*", betterAuth);

  routeOf = routeNamer([
    ...app.routes.map((route) => route.path).filter((path) => !path.endsWith("*")),
    ...betterAuthRoutes(auth.api, "/api/auth"),
  ]);
  return app;
}

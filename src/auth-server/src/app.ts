/**
 * The auth server as a Hono app: Better Auth under `/api/auth/*`, the JWKS with caching
 * headers (also at `/.well-known/jwks.json`), health checks, CORS, security headers, body
 * limits and request logs. `createAuthServer` opens the database, migrates it and mints a
 * signing key, so a returned server is ready to sign.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { type Auth, createAuth } from "./auth.js";
import { clientIp, withClientIp } from "./client-ip.js";
import type { AuthServerConfig } from "./config.js";
import { type AuthDatabase, openDatabase } from "./database.js";
import { jwksHandler } from "./jwks.js";
import { assertCanSign, currentSigningKeyId, ensureSigningKey } from "./keys.js";
import { createLogger, type Logger, type LogSink } from "./logger.js";
import { migrate } from "./migrate.js";

/** Bodies of auth requests are small JSON documents; anything larger is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;

export interface AuthServer {
  readonly app: Hono;
  readonly auth: Auth;
  readonly config: AuthServerConfig;
  readonly log: Logger;
  close(): Promise<void>;
}

export interface CreateAuthServerOptions {
  /** Where log lines go. @default stdout */
  logSink?: LogSink;
}

export async function createAuthServer(
  config: AuthServerConfig,
  options: CreateAuthServerOptions = {},
): Promise<AuthServer> {
  const log = createLogger(config.logLevel, options.logSink);
  const database = openDatabase(config);
  try {
    const auth = createAuth(config, database, log);
    await migrate(auth);
    const { kid, created } = await ensureSigningKey(auth, config);
    if (created) log.info("signing key created", { event: "key.created", kid });
    await assertCanSign(auth);
    const app = buildApp(config, auth, database, log);
    return { app, auth, config, log, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function buildApp(config: AuthServerConfig, auth: Auth, database: AuthDatabase, log: Logger): Hono {
  const app = new Hono();
  const trusted = new Set(config.trustedOrigins);

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The path only: a query string could carry a token.
    log.info("request", {
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
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
      const kid = await currentSigningKeyId(auth);
      if (!kid) return c.json({ status: "unavailable", reason: "no signing key" }, 503);
      return c.json({ status: "ok", database: database.kind });
    } catch {
      return c.json({ status: "unavailable", reason: "database unreachable" }, 503);
    }
  });

  const jwks = jwksHandler(auth, config.jwksMaxAgeSeconds);
  app.get("/.well-known/jwks.json", jwks);
  app.get("/api/auth/jwks", jwks);

  app.use(
    "/api/auth/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      // Connection: close, so a keep-alive client does not send its next request on a socket
      // whose unread body the server is about to drop.
      onError: (c) =>
        c.json({ code: "PAYLOAD_TOO_LARGE", message: "request body too large" }, 413, { Connection: "close" }),
    }),
  );
  app.on(["GET", "POST"], "/api/auth/*", async (c) => {
    const response = await auth.handler(withClientIp(c.req.raw, clientIp(c, config.trustProxyHeader)));
    return withStandardRetryAfter(response);
  });

  return app;
}

/** Better Auth answers 429 with `X-Retry-After` only; HTTP clients look for `Retry-After`. */
function withStandardRetryAfter(response: Response): Response {
  if (response.status !== 429) return response;
  const retry = response.headers.get("x-retry-after");
  if (!retry || response.headers.has("retry-after")) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", retry);
  return new Response(response.body, { status: 429, headers });
}

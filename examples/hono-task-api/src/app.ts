/** The twin task API's app factory: CORS, the verifier's middleware, the routes. */
import type { Verifier } from "@authbridge/verifier";
import { authErrorHandler, bodyLimit, requireCaller, requireUser } from "@authbridge/verifier/hono";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { adminRouter } from "./routes/admin.js";
import { tasksRouter } from "./routes/tasks.js";
import { StoreBusyError, type TaskStore } from "./store/index.js";

export interface AppDeps {
  verifier: Verifier;
  store: TaskStore;
  corsOrigins?: readonly string[];
  /** Largest request body, bytes (`MAX_BODY_BYTES`). @default 65536 */
  maxBodyBytes?: number;
  /** The admin routes demand a second factor of a person (`MFA_REQUIRED_ROLES`). @default false */
  adminRequiresMfa?: boolean;
}

/**
 * @example
 * const app = createApp({ verifier: verifierFromEnv(process.env), store: openStore("sqlite:///data/tasks.sqlite") });
 */
const ADMIN_PATH = /^\/api\/admin(\/|$)/;

export function createApp({
  verifier,
  store,
  corsOrigins = [],
  maxBodyBytes = 65_536,
  adminRequiresMfa = false,
}: AppDeps): Hono {
  const app = new Hono();
  const allowed = new Set(corsOrigins);
  app.use(
    cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      credentials: true,
      allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type"],
    }),
  );
  app.onError(
    authErrorHandler((error, c) => {
      if (error instanceof StoreBusyError) {
        return c.json({ detail: error.message, code: "busy" }, 503, { "Retry-After": "1" });
      }
      return c.json({ detail: "Internal server error" }, 500);
    }),
  );
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));

  app.get("/health", (c) => c.json({ status: "ok" }));
  // Authentication first: a request without a valid token is a 401 before its body is read. The
  // admin routes also admit machine clients (their scopes are checked there); the rest are for people.
  const people = requireUser(verifier);
  const peopleOrClients = requireCaller(verifier);
  app.use("/api/*", (c, next) => (ADMIN_PATH.test(c.req.path) ? peopleOrClients : people)(c, next));
  // The SDK's limit: the contract's 413, with the refused body discarded so the client reads it.
  if (maxBodyBytes > 0) app.use("/api/*", bodyLimit({ maxBytes: maxBodyBytes }));
  app.get("/api/me", (c) => {
    const { id, email, name, roles, permissions } = c.var.user;
    return c.json({ id, email, name, roles, permissions });
  });
  app.route("/", tasksRouter(store));
  app.route("/", adminRouter(store, { mfa: adminRequiresMfa }));
  return app;
}

/** The twin task API's app factory: CORS, the verifier's middleware, the routes. */
import type { Verifier } from "@authbridge/verifier";
import { authErrorHandler, requireUser } from "@authbridge/verifier/hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
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
}

/** The 413 answer's `detail`, as python-backend's (authbridge's body limit) writes it. */
export const TOO_LARGE_DETAIL = "The request body is too large";

/**
 * @example
 * const app = createApp({ verifier: verifierFromEnv(process.env), store: openStore("sqlite:///data/tasks.sqlite") });
 */
export function createApp({ verifier, store, corsOrigins = [], maxBodyBytes = 65_536 }: AppDeps): Hono {
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
  // Authentication first: a request without a valid token is a 401 before its body is read.
  app.use("/api/*", requireUser(verifier));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => c.json({ detail: TOO_LARGE_DETAIL, code: "payload_too_large" }, 413, { Connection: "close" }),
    }),
  );
  app.get("/api/me", (c) => {
    const { id, email, name, roles, permissions } = c.var.user;
    return c.json({ id, email, name, roles, permissions });
  });
  app.route("/", tasksRouter(store));
  app.route("/", adminRouter(store));
  return app;
}

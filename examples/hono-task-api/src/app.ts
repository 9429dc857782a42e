/** The twin task API's app factory: CORS, the verifier's middleware, the routes. */
import type { Verifier } from "@authbridge/verifier";
import { authErrorHandler, requireUser } from "@authbridge/verifier/hono";
import { Hono } from "hono";
import { cors } from "hono/cors";
import type { TaskStore } from "./db.js";
import { tasksRouter } from "./routes/tasks.js";

export interface AppDeps {
  verifier: Verifier;
  store: TaskStore;
  corsOrigins?: readonly string[];
}

/**
 * @example
 * const app = createApp({ verifier: verifierFromEnv(process.env), store: new TaskStore("data/tasks.sqlite") });
 */
export function createApp({ verifier, store, corsOrigins = [] }: AppDeps): Hono {
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
  app.onError(authErrorHandler((_error, c) => c.json({ detail: "Internal server error" }, 500)));
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.use("/api/*", requireUser(verifier));
  app.get("/api/me", (c) => {
    const { id, email, name } = c.var.user;
    return c.json({ id, email, name });
  });
  app.route("/", tasksRouter(store));
  return app;
}

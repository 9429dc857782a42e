/**
 * `/api/admin/*`: every user's tasks, for people with the `admin` role and for machine clients
 * granted the route's permission as a scope, such as a reporting job (python-backend's
 * `routes/admin.py` is the twin). The order of checks is the contract's: authentication (the
 * app's `requireCaller`) → role (a client has none to check) → permission (a client's scope) →
 * under `MFA_REQUIRED_ROLES` with `admin`, a person's second factor (the step-up 401) → the
 * request's own validity (422) → the target's existence (404).
 */
import { requireMfa, requirePermission, requireRole } from "@authbridge/verifier/hono";
import type { MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { parseListQuery } from "../schemas.js";
import type { TaskStore } from "../store/index.js";

export function adminRouter(store: TaskStore, options: { mfa?: boolean } = {}): Hono {
  const router = new Hono();
  // People need the admin role; a machine client goes on to the route's permission (its scopes).
  router.use("/api/admin/*", requireRole("admin", { clients: "admit" }));
  // After the permission, so stepping up is asked only of whom it would let in; a client has
  // no sign-in to step up (its scopes decide).
  const stepUp: MiddlewareHandler[] = options.mfa ? [requireMfa({ clients: "admit" })] : [];
  const checks = (permission: string) => [requirePermission(permission), ...stepUp] as const;

  router.get("/api/admin/tasks", ...checks("tasks:read:any"), async (c) => {
    const query = parseListQuery(c.req.queries(), { owner: true });
    if (!query.ok) return c.json({ detail: query.detail }, 422);
    return c.json(await store.listAll(query.value));
  });

  router.delete("/api/admin/tasks/:taskId", ...checks("tasks:write:any"), async (c) => {
    const task = await store.get(c.req.param("taskId"));
    if (!task) return c.json({ detail: "Task not found", code: "not_found" }, 404);
    await store.delete(task.id);
    return c.body(null, 204);
  });

  router.get("/api/admin/users", ...checks("users:list"), async (c) => {
    const query = parseListQuery(c.req.queries(), { completed: false });
    if (!query.ok) return c.json({ detail: query.detail }, 422);
    return c.json(await store.countByUser(query.value));
  });

  return router;
}

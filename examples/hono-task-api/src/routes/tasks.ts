/**
 * `/api/tasks` and `/api/users/:userId/tasks`: every query is filtered by the verified `sub`;
 * 404 is decided before 403 (CONTRACT §4), as in python-backend's `routes/tasks.py`.
 */
import { requireOwner } from "@authbridge/verifier/hono";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { Task, TaskStore } from "../db.js";
import { parseListQuery, TaskCreateSchema, TaskUpdateSchema, zodDetail } from "../schemas.js";

const notFound = (c: Context) => c.json({ detail: "Task not found", code: "not_found" }, 404);

async function readBody<T>(
  c: Context,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; res: Response }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    return {
      ok: false,
      res: c.json({ detail: [{ type: "json_invalid", loc: ["body"], msg: "JSON decode error" }] }, 422),
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, res: c.json({ detail: zodDetail(parsed.error) }, 422) };
  return { ok: true, value: parsed.data };
}

export function tasksRouter(store: TaskStore): Hono {
  const router = new Hono();

  const readTasks = (c: Context, owner: string) => {
    const query = parseListQuery(c.req.query());
    if (!query.ok) return c.json({ detail: query.detail }, 422);
    return c.json(store.list(owner, query.value));
  };
  const createTask = async (c: Context, owner: string) => {
    const body = await readBody(c, TaskCreateSchema);
    if (!body.ok) return body.res;
    return c.json(store.create(owner, body.value), 201);
  };
  const ownedTask = (c: Context): Task | undefined => {
    const task = store.get(c.req.param("taskId") ?? "");
    if (task) requireOwner(c, task.user_id);
    return task;
  };

  router.get("/api/tasks", (c) => readTasks(c, c.var.user.id));
  router.post("/api/tasks", (c) => createTask(c, c.var.user.id));

  router.get("/api/tasks/:taskId", (c) => {
    const task = ownedTask(c);
    return task ? c.json(task) : notFound(c);
  });

  router.patch("/api/tasks/:taskId", async (c) => {
    const task = ownedTask(c);
    if (!task) return notFound(c);
    const body = await readBody(c, TaskUpdateSchema);
    if (!body.ok) return body.res;
    return c.json(store.update(task, body.value));
  });

  router.delete("/api/tasks/:taskId", (c) => {
    const task = ownedTask(c);
    if (!task) return notFound(c);
    store.delete(task.id);
    return c.body(null, 204);
  });

  router.get("/api/users/:userId/tasks", (c) => {
    requireOwner(c, c.req.param("userId"));
    return readTasks(c, c.var.user.id);
  });
  router.post("/api/users/:userId/tasks", (c) => {
    requireOwner(c, c.req.param("userId"));
    return createTask(c, c.var.user.id);
  });

  return router;
}

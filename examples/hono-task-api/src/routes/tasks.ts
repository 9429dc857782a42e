/**
 * `/api/tasks` and `/api/users/:userId/tasks`: every query is filtered by the verified `sub`
 * (reading another user's list needs the `tasks:read:any` permission).
 * The order of checks is the contract's (§4), as in python-backend's `routes/tasks.py`:
 * authentication (401, the middleware) → the request's own validity (422: query, then body)
 * → the target's existence (404) → its owner (403).
 */
import { hasPermission } from "@authbridge/verifier";
import { requireOwner } from "@authbridge/verifier/hono";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import { parseListQuery, TaskCreateSchema, TaskUpdateSchema, zodDetail } from "../schemas.js";
import type { TaskStore } from "../store/index.js";

const notFound = (c: Context) => c.json({ detail: "Task not found", code: "not_found" }, 404);
const invalid = (c: Context, type: string, msg: string) => c.json({ detail: [{ type, loc: ["body"], msg }] }, 422);
// ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it (RFC 8259 §8.1).
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Strict JSON (RFC 8259): no NaN or Infinity, no number beyond a double (`1e400`, a 400-digit
 * integer), no byte order mark, valid UTF-8 only.
 */
function parseStrictJson(bytes: ArrayBuffer): unknown {
  return JSON.parse(strictUtf8.decode(bytes), (_key, value) => {
    if (typeof value === "number" && !Number.isFinite(value)) throw new SyntaxError("number out of range");
    return value;
  });
}

async function readBody<T>(
  c: Context,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; res: Response }> {
  // A JSON body must say so, as FastAPI requires (its strict content-type check).
  if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) {
    return {
      ok: false,
      res: invalid(c, "model_attributes_type", "Input should be a valid dictionary or object to extract fields from"),
    };
  }
  let raw: unknown;
  try {
    raw = parseStrictJson(await c.req.arrayBuffer());
  } catch {
    return { ok: false, res: invalid(c, "json_invalid", "JSON decode error") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, res: c.json({ detail: zodDetail(parsed.error) }, 422) };
  return { ok: true, value: parsed.data };
}

export function tasksRouter(store: TaskStore): Hono {
  const router = new Hono();

  const readTasks = async (c: Context, owner?: string) => {
    const query = parseListQuery(c.req.queries());
    if (!query.ok) return c.json({ detail: query.detail }, 422);
    // An admin (`tasks:read:any`) may read anyone's tasks; everyone else only their own.
    if (owner !== undefined && !hasPermission(c.var.user, "tasks:read:any")) requireOwner(c.var.user, owner);
    return c.json(await store.list(owner ?? c.var.user.id, query.value));
  };
  const createTask = async (c: Context, owner?: string) => {
    const body = await readBody(c, TaskCreateSchema);
    if (!body.ok) return body.res;
    if (owner !== undefined) requireOwner(c.var.user, owner);
    return c.json(await store.create(c.var.user.id, body.value), 201);
  };
  /** The task of the path, or undefined (404); someone else's is the contract's 403. */
  const ownedTask = async (c: Context) => {
    const task = await store.get(c.req.param("taskId") ?? "");
    if (task) requireOwner(c.var.user, task.user_id);
    return task;
  };

  router.get("/api/tasks", (c) => readTasks(c));
  router.post("/api/tasks", (c) => createTask(c));

  router.get("/api/tasks/:taskId", async (c) => {
    const task = await ownedTask(c);
    return task ? c.json(task) : notFound(c);
  });

  router.patch("/api/tasks/:taskId", async (c) => {
    const body = await readBody(c, TaskUpdateSchema);
    if (!body.ok) return body.res;
    const task = await ownedTask(c);
    if (!task) return notFound(c);
    return c.json(await store.update(task, body.value));
  });

  router.delete("/api/tasks/:taskId", async (c) => {
    const task = await ownedTask(c);
    if (!task) return notFound(c);
    await store.delete(task.id);
    return c.body(null, 204);
  });

  router.get("/api/users/:userId/tasks", (c) => readTasks(c, c.req.param("userId")));
  router.post("/api/users/:userId/tasks", (c) => createTask(c, c.req.param("userId")));

  return router;
}

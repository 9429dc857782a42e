/**
 * The admin routes, per route and verb, with their 401 / 403 / 404 / 422 twins; an admin reading
 * another user's list through /api/users/:userId/tasks (python-backend's test_admin.py is the twin).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PERMISSIONS, startTwin, type Twin } from "./support.js";

let twin: Twin;
beforeEach(async () => {
  twin = await startTwin();
});
afterEach(async () => twin.close());

const MISSING = "00000000-0000-0000-0000-000000000000";
const SCOPE = (d: string) => `Bearer realm="api", error="insufficient_scope", error_description="${d}"`;
const codeOf = async (res: Response) => ((await res.json()) as { code: string }).code;

async function create(owner: string, title: string): Promise<string> {
  const res = await twin.app.request("/api/tasks", {
    method: "POST",
    body: JSON.stringify({ title }),
    headers: { ...twin.auth(owner), "content-type": "application/json" },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function seed() {
  await create("alice", "a1");
  await create("bob", "b1");
  await create("alice", "a2");
}

describe("GET /api/admin/tasks", () => {
  it("lists every user's tasks, oldest first, with an owner filter and pages", async () => {
    await seed();
    const res = await twin.app.request("/api/admin/tasks", { headers: twin.admin() });
    expect(res.status).toBe(200);
    const all = (await res.json()) as { user_id: string; title: string }[];
    expect(all.map((t) => [t.user_id, t.title])).toEqual([
      ["alice", "a1"],
      ["bob", "b1"],
      ["alice", "a2"],
    ]);
    const owned = await twin.app.request("/api/admin/tasks?owner=alice&limit=1&offset=1", { headers: twin.admin() });
    expect(((await owned.json()) as { title: string }[]).map((t) => t.title)).toEqual(["a2"]);
  });

  it("refuses a plain user (403 insufficient_role), an admin without the permission, and no token", async () => {
    const plain = await twin.app.request("/api/admin/tasks", { headers: twin.auth("alice", { role: "user" }) });
    expect(plain.status).toBe(403);
    expect(plain.headers.get("www-authenticate")).toBe(SCOPE("This action requires a role you do not have"));
    expect(await plain.json()).toEqual({
      detail: "This action requires a role you do not have",
      code: "insufficient_role",
    });
    const noPermission = await twin.app.request("/api/admin/tasks", {
      headers: twin.admin("root", { permissions: ["users:list"] }),
    });
    expect(noPermission.status).toBe(403);
    expect(await codeOf(noPermission)).toBe("insufficient_permission");
    expect((await twin.app.request("/api/admin/tasks")).status).toBe(401);
    const malformed = await twin.app.request("/api/admin/tasks", { headers: twin.admin("root", { role: 7 }) });
    expect(malformed.status).toBe(401);
    expect(await codeOf(malformed)).toBe("invalid_claims");
  });

  it("validates the query after the role", async () => {
    expect((await twin.app.request("/api/admin/tasks?limit=0", { headers: twin.admin() })).status).toBe(422);
    expect((await twin.app.request("/api/admin/tasks?limit=0", { headers: twin.auth("alice") })).status).toBe(403);
  });
});

describe("DELETE /api/admin/tasks/:taskId", () => {
  it("deletes anyone's task", async () => {
    const id = await create("bob", "spam");
    expect((await twin.app.request(`/api/admin/tasks/${id}`, { method: "DELETE", headers: twin.admin() })).status).toBe(
      204,
    );
    expect((await twin.app.request(`/api/tasks/${id}`, { headers: twin.auth("bob") })).status).toBe(404);
  });

  it("needs tasks:write:any and the admin role", async () => {
    const id = await create("bob", "mine");
    const readOnly = twin.admin("root", { permissions: ["tasks:read:any"] });
    expect(
      await codeOf(await twin.app.request(`/api/admin/tasks/${id}`, { method: "DELETE", headers: readOnly })),
    ).toBe("insufficient_permission");
    const own = await twin.app.request(`/api/admin/tasks/${id}`, { method: "DELETE", headers: twin.auth("bob") });
    expect(await codeOf(own)).toBe("insufficient_role");
    expect((await twin.app.request(`/api/tasks/${id}`, { headers: twin.auth("bob") })).status).toBe(200);
  });

  it("answers 404 for a missing task", async () => {
    const res = await twin.app.request(`/api/admin/tasks/${MISSING}`, { method: "DELETE", headers: twin.admin() });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Task not found", code: "not_found" });
  });
});

describe("GET /api/admin/users", () => {
  it("lists the users the API knows with their task counts, by id, paged", async () => {
    await seed();
    const res = await twin.app.request("/api/admin/users", { headers: twin.admin() });
    expect(await res.json()).toEqual([
      { user_id: "alice", task_count: 2 },
      { user_id: "bob", task_count: 1 },
    ]);
    const paged = await twin.app.request("/api/admin/users?offset=1", { headers: twin.admin() });
    expect(await paged.json()).toEqual([{ user_id: "bob", task_count: 1 }]);
    expect((await twin.app.request("/api/admin/users?limit=101", { headers: twin.admin() })).status).toBe(422);
    const refused = await twin.app.request("/api/admin/users", { headers: twin.admin("root", { permissions: [] }) });
    expect(await codeOf(refused)).toBe("insufficient_permission");
  });
});

describe("GET /api/users/:userId/tasks as an admin", () => {
  it("reads anyone's list; creating in their name stays forbidden", async () => {
    await seed();
    const res = await twin.app.request("/api/users/alice/tasks", { headers: twin.admin() });
    expect(((await res.json()) as { title: string }[]).map((t) => t.title)).toEqual(["a1", "a2"]);
    const planted = await twin.app.request("/api/users/alice/tasks", {
      method: "POST",
      body: JSON.stringify({ title: "x" }),
      headers: { ...twin.admin(), "content-type": "application/json" },
    });
    expect(planted.status).toBe(403);
    expect(await codeOf(planted)).toBe("forbidden");
    expect(await codeOf(await twin.app.request("/api/users/alice/tasks", { headers: twin.auth("bob") }))).toBe(
      "forbidden",
    );
  });
});

describe("GET /api/me", () => {
  it("shows the caller's roles and permissions", async () => {
    const res = await twin.app.request("/api/me", { headers: twin.admin("root") });
    expect(await res.json()).toMatchObject({ id: "root", roles: ["admin"], permissions: ADMIN_PERMISSIONS });
  });
});

describe("machine clients (client credentials tokens)", () => {
  it("read every task with tasks:read:any, and list users with users:list", async () => {
    await seed();
    const res = await twin.app.request("/api/admin/tasks", { headers: twin.client("tasks:read:any") });
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBe(3);
    const users = await twin.app.request("/api/admin/users", { headers: twin.client("users:list") });
    expect(await users.json()).toEqual([
      { user_id: "alice", task_count: 2 },
      { user_id: "bob", task_count: 1 },
    ]);
  });

  it("without the route's scope get 403 insufficient_permission, not the role's 403", async () => {
    const res = await twin.app.request(`/api/admin/tasks/${MISSING}`, {
      method: "DELETE",
      headers: twin.client("tasks:read:any"),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(SCOPE("This action requires a permission you do not have"));
    expect(await codeOf(res)).toBe("insufficient_permission");
  });

  it("delete any task with tasks:write:any; a missing one is 404", async () => {
    const id = await create("alice", "doomed");
    const headers = twin.client("tasks:write:any");
    expect((await twin.app.request(`/api/admin/tasks/${id}`, { method: "DELETE", headers })).status).toBe(204);
    expect((await twin.app.request(`/api/admin/tasks/${id}`, { method: "DELETE", headers })).status).toBe(404);
  });

  it.each([
    ["GET", "/api/me"],
    ["GET", "/api/tasks"],
    ["POST", "/api/tasks"],
    ["GET", "/api/users/client_reports/tasks"],
  ])("are refused on %s %s, a route for people, with 403 user_required", async (method, path) => {
    const res = await twin.app.request(path, {
      method,
      headers: { ...twin.client("tasks:read:any tasks:write:any"), "content-type": "application/json" },
      ...(method === "POST" ? { body: JSON.stringify({ title: "from a robot" }) } : {}),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBeNull();
    expect(await res.json()).toEqual({
      detail: "This route is for signed-in users, not machine clients",
      code: "user_required",
    });
  });

  it("a user token with a scope claim gains nothing from it", async () => {
    const res = await twin.app.request("/api/admin/tasks", {
      headers: twin.auth("alice", { scope: "tasks:read:any" }),
    });
    expect(await codeOf(res)).toBe("insufficient_role");
  });
});

/** The twin's routes, per route and verb, with their 401 / 403 / 404 / 422 twins. */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTwin, type Twin } from "./support.js";

/** The contract's task fields (contract-tests/contract.json), which this API must return exactly. */
const TASK_FIELDS: string[] = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, "../../../contract-tests/contract.json"), "utf8"),
).task.fields;

let twin: Twin;
beforeEach(async () => {
  twin = await startTwin();
});
afterEach(async () => twin.close());

const MISSING = "00000000-0000-0000-0000-000000000000";
const json = (body: unknown, headers: Record<string, string>) => ({
  body: JSON.stringify(body),
  headers: { ...headers, "content-type": "application/json" },
});

async function create(headers: Record<string, string>, body: Record<string, unknown> = {}) {
  const res = await twin.app.request("/api/tasks", { method: "POST", ...json({ title: "Task", ...body }, headers) });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

describe("GET /health", () => {
  it("needs no token", async () => {
    const res = await twin.app.request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

describe("GET /api/me", () => {
  it("returns the caller", async () => {
    const res = await twin.app.request("/api/me", { headers: twin.auth("alice") });
    expect(await res.json()).toEqual({
      id: "alice",
      email: "alice@example.test",
      name: "alice",
      roles: [],
      permissions: [],
    });
  });
  it("returns 401 missing_token without a token", async () => {
    const res = await twin.app.request("/api/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });
});

describe("POST /api/tasks", () => {
  it("creates a task owned by the caller", async () => {
    const task = await create(twin.auth("alice"), { title: "  Write docs  ", description: "all of them" });
    expect(Object.keys(task).sort()).toEqual(TASK_FIELDS);
    expect(task).toMatchObject({ user_id: "alice", title: "Write docs", description: "all of them", completed: false });
    expect(task.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it.each([
    {},
    { title: "" },
    { title: "   " },
    { title: "x".repeat(201) },
    { title: 5 },
    { title: "ok", description: "d".repeat(2001) },
    { title: "ok", completed: "yes" },
    { title: "ok", user_id: "mallory" },
    { title: "ok", id: "chosen" },
    [1, 2],
    "text",
  ])("returns 422 for %j", async (body) => {
    const res = await twin.app.request("/api/tasks", { method: "POST", ...json(body, twin.auth("alice")) });
    expect(res.status).toBe(422);
    expect(Array.isArray(((await res.json()) as { detail: unknown }).detail)).toBe(true);
  });

  it("returns 422 for malformed JSON", async () => {
    const res = await twin.app.request("/api/tasks", {
      method: "POST",
      body: "{not json",
      headers: { ...twin.auth("alice"), "content-type": "application/json" },
    });
    expect(res.status).toBe(422);
  });

  it("accepts the boundaries (200-character title, 2000-character description)", async () => {
    const task = await create(twin.auth("alice"), {
      title: "é".repeat(200),
      description: "d".repeat(2000),
      completed: true,
    });
    expect(task.completed).toBe(true);
  });

  it("returns 401 before validating the body", async () => {
    const res = await twin.app.request("/api/tasks", { method: "POST", body: "{not json" });
    expect(res.status).toBe(401);
    const expired = await twin.app.request("/api/tasks", {
      method: "POST",
      ...json({ title: "" }, twin.auth("a", { exp: 1 })),
    });
    expect(((await expired.json()) as { code: string }).code).toBe("token_expired");
  });
});

describe("GET /api/tasks", () => {
  it("lists only the caller's tasks, oldest first", async () => {
    const alice = twin.auth("alice");
    const first = await create(alice, { title: "first" });
    const second = await create(alice, { title: "second" });
    await create(twin.auth("bob"), { title: "bob's" });
    const res = await twin.app.request("/api/tasks", { headers: alice });
    expect(((await res.json()) as { id: string }[]).map((t) => t.id)).toEqual([first.id, second.id]);
    const carol = await twin.app.request("/api/tasks", { headers: twin.auth("carol") });
    expect(await carol.json()).toEqual([]);
  });

  it("filters by completed and pages with limit and offset", async () => {
    const alice = twin.auth("alice");
    for (let i = 0; i < 5; i += 1) await create(alice, { title: `t${i}`, completed: i % 2 === 0 });
    const done = (await (await twin.app.request("/api/tasks?completed=true", { headers: alice })).json()) as {
      title: string;
    }[];
    expect(done.map((t) => t.title)).toEqual(["t0", "t2", "t4"]);
    const page = (await (await twin.app.request("/api/tasks?limit=2&offset=1", { headers: alice })).json()) as {
      title: string;
    }[];
    expect(page.map((t) => t.title)).toEqual(["t1", "t2"]);
  });

  it.each(["limit=0", "limit=101", "offset=-1", "limit=abc", "completed=maybe"])(
    "returns 422 for ?%s",
    async (query) => {
      const res = await twin.app.request(`/api/tasks?${query}`, { headers: twin.auth("alice") });
      expect(res.status).toBe(422);
    },
  );
});

describe("GET /api/tasks/:id", () => {
  it("returns the caller's task", async () => {
    const task = await create(twin.auth("alice"));
    const res = await twin.app.request(`/api/tasks/${task.id}`, { headers: twin.auth("alice") });
    expect(await res.json()).toEqual(task);
  });
  it("returns 403 forbidden for another user's task", async () => {
    const task = await create(twin.auth("alice"));
    const res = await twin.app.request(`/api/tasks/${task.id}`, { headers: twin.auth("bob") });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: "You do not have access to this resource", code: "forbidden" });
  });
  it("returns 404 not_found for a missing task", async () => {
    const res = await twin.app.request(`/api/tasks/${MISSING}`, { headers: twin.auth("alice") });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Task not found", code: "not_found" });
  });
});

describe("PATCH /api/tasks/:id", () => {
  it("updates the caller's task", async () => {
    const task = await create(twin.auth("alice"), { description: "old" });
    const res = await twin.app.request(`/api/tasks/${task.id}`, {
      method: "PATCH",
      ...json({ completed: true, description: null }, twin.auth("alice")),
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Record<string, unknown>;
    expect(updated).toMatchObject({ completed: true, description: null, title: "Task" });
    expect(String(updated.updated_at) >= String(task.updated_at)).toBe(true);
  });
  it.each([{ title: null }, { completed: null }, { user_id: "bob" }, { title: "" }])(
    "returns 422 for %j",
    async (body) => {
      const task = await create(twin.auth("alice"));
      const res = await twin.app.request(`/api/tasks/${task.id}`, {
        method: "PATCH",
        ...json(body, twin.auth("alice")),
      });
      expect(res.status).toBe(422);
      expect(await (await twin.app.request(`/api/tasks/${task.id}`, { headers: twin.auth("alice") })).json()).toEqual(
        task,
      );
    },
  );
  it("returns 403 for another user's task and leaves it unchanged", async () => {
    const task = await create(twin.auth("alice"));
    const res = await twin.app.request(`/api/tasks/${task.id}`, {
      method: "PATCH",
      ...json({ title: "mine" }, twin.auth("bob")),
    });
    expect(res.status).toBe(403);
    const stored = (await (
      await twin.app.request(`/api/tasks/${task.id}`, { headers: twin.auth("alice") })
    ).json()) as { title: string };
    expect(stored.title).toBe("Task");
  });
  it("returns 404 for a missing task", async () => {
    const res = await twin.app.request(`/api/tasks/${MISSING}`, {
      method: "PATCH",
      ...json({ title: "x" }, twin.auth("alice")),
    });
    expect(res.status).toBe(404);
  });
});

describe("DELETE /api/tasks/:id", () => {
  it("deletes the caller's task with 204", async () => {
    const task = await create(twin.auth("alice"));
    const res = await twin.app.request(`/api/tasks/${task.id}`, { method: "DELETE", headers: twin.auth("alice") });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect((await twin.app.request(`/api/tasks/${task.id}`, { headers: twin.auth("alice") })).status).toBe(404);
  });
  it("returns 403 for another user's task and keeps it", async () => {
    const task = await create(twin.auth("alice"));
    expect(
      (await twin.app.request(`/api/tasks/${task.id}`, { method: "DELETE", headers: twin.auth("bob") })).status,
    ).toBe(403);
    expect((await twin.app.request(`/api/tasks/${task.id}`, { headers: twin.auth("alice") })).status).toBe(200);
  });
  it("returns 404 for a missing task", async () => {
    expect(
      (await twin.app.request(`/api/tasks/${MISSING}`, { method: "DELETE", headers: twin.auth("alice") })).status,
    ).toBe(404);
  });
});

describe("/api/users/:id/tasks", () => {
  it("GET lists the caller's own tasks", async () => {
    await create(twin.auth("alice"), { title: "a1" });
    const res = await twin.app.request("/api/users/alice/tasks", { headers: twin.auth("alice") });
    expect(((await res.json()) as { title: string }[]).map((t) => t.title)).toEqual(["a1"]);
  });
  it("GET returns 403 when the path user is not the caller", async () => {
    const res = await twin.app.request("/api/users/alice/tasks", { headers: twin.auth("bob") });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("forbidden");
  });
  it("POST creates for the caller", async () => {
    const res = await twin.app.request("/api/users/alice/tasks", {
      method: "POST",
      ...json({ title: "via user" }, twin.auth("alice")),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { user_id: string }).user_id).toBe("alice");
  });
  it("POST returns 403 for another user and plants nothing", async () => {
    const res = await twin.app.request("/api/users/alice/tasks", {
      method: "POST",
      ...json({ title: "planted" }, twin.auth("bob")),
    });
    expect(res.status).toBe(403);
    expect(await (await twin.app.request("/api/tasks", { headers: twin.auth("alice") })).json()).toEqual([]);
  });
  it("POST returns 422 for a user_id in the body", async () => {
    const res = await twin.app.request("/api/users/alice/tasks", {
      method: "POST",
      ...json({ title: "x", user_id: "alice" }, twin.auth("alice")),
    });
    expect(res.status).toBe(422);
  });
});

describe("CORS", () => {
  it("allows a trusted origin's preflight with credentials and Authorization", async () => {
    const res = await twin.app.request("/api/tasks", {
      method: "OPTIONS",
      headers: {
        origin: "http://app.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("http://app.test");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const evil = await twin.app.request("/api/tasks", {
      method: "OPTIONS",
      headers: { origin: "http://evil.test", "access-control-request-method": "GET" },
    });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });
});

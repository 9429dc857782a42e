/**
 * CONTRACT §3 on every protected route of both backends: status, exact WWW-Authenticate, JSON
 * keys and code; and parity: the two backends' answers are compared with each other too.
 */
import { clientToken, endSession, type IssuedClient, type MfaUser, signUpWithTotp } from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchJwt, signUpUser, type User } from "../src/auth.js";
import type { Backend } from "../src/backends.js";
import { CONTRACT } from "../src/contract.js";
import {
  ADMIN_ROUTES,
  CODE_OF,
  type Expectation,
  keylessCredentials,
  type Observed,
  observe,
  PROTECTED_ROUTES,
  parity,
  problems,
  type Route,
  routeName,
} from "../src/matrix.js";
import { timeToRefusal } from "../src/revocation.js";
import { createTask, type Stack, startStack } from "../src/stack.js";

let stack: Stack;
let alice: User;
let bob: User;
/** An admin (users:set-role) who signed in with a second factor: the admin routes' policy (MFA_REQUIRED_ROLES). */
let root: MfaUser;
/** An admin whose session has no second factor: the step-up 401 on every admin route. */
let passwordAdmin: User;
/** Real-key tokens whose sign-in claims are malformed: 401 invalid_claims everywhere. */
let malformedSignIn: Record<string, Record<string, string>>;
const tasks = new Map<string, string>();
let credentials: Record<string, Record<string, string> | undefined>;
/** A role claim of the wrong type, signed by the real key. */
let malformedRole: Record<string, string>;
/** Bob's real JWT with its role rewritten to admin and the signature kept. */
let tamperedRole: Record<string, string>;
/** A real-key token with the admin role but no permissions claim. */
let adminWithoutPermissions: Record<string, string>;
/** A machine client granted every scope: its tokens come from the real token endpoint. */
let reporter: IssuedClient;
/** Token confusion (RFC 9068 §4), signed by the real key: a user's claims typed at+jwt, a client's typed JWT. */
let confused: Record<string, Record<string, string>>;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([signUpUser(stack.auth.url, "alice"), signUpUser(stack.auth.url, "bob")]);
  for (const backend of stack.backends.list) tasks.set(backend.name, await createTask(backend, alice.jwt));
  const now = Math.floor(Date.now() / 1000);
  const base = { sub: alice.id, email: alice.email, name: alice.name, email_verified: false, iat: now };
  credentials = {
    ...keylessCredentials(alice.jwt),
    token_expired: bearer(await stack.auth.sign({ ...base, iat: now - 3600, exp: now - 600 })),
    token_not_yet_valid: bearer(await stack.auth.sign({ ...base, nbf: now + 600 })),
    invalid_issuer: bearer(await stack.auth.sign({ ...base, iss: "https://evil.example" })),
    invalid_audience: bearer(await stack.auth.sign({ ...base, aud: "billing-api" })),
    invalid_claims: bearer(await stack.auth.sign({ ...base, sub: "" })),
  };
  root = await signUpWithTotp(stack.auth.url, "root", (email) => stack.auth.setRole(email, "admin"));
  passwordAdmin = await signUpUser(stack.auth.url, "password-admin");
  await stack.auth.setRole(passwordAdmin.email, "admin");
  passwordAdmin = { ...passwordAdmin, jwt: await fetchJwt(stack.auth.url, passwordAdmin.sessionToken) };
  malformedSignIn = {
    "amr as a string": bearer(await stack.auth.sign({ ...base, amr: "mfa" })),
    "amr holding a number": bearer(await stack.auth.sign({ ...base, amr: ["pwd", 2] })),
    "auth_time in the future": bearer(
      await stack.auth.sign({ ...base, amr: ["pwd", "otp", "mfa"], auth_time: now + 600 }),
    ),
    "auth_time as a string": bearer(await stack.auth.sign({ ...base, auth_time: String(now) })),
  };
  malformedRole = bearer(await stack.auth.sign({ ...base, role: ["admin"] }));
  adminWithoutPermissions = bearer(await stack.auth.sign({ ...base, role: "admin" }));
  const [header, payload, signature] = bob.jwt.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin", permissions: ["tasks:read:any"] })).toString(
    "base64url",
  );
  tamperedRole = bearer(`${header}.${forged}.${signature}`);
  reporter = await stack.auth.createClient("matrix reporter", "tasks:read:any tasks:write:any users:list");
  // A signed-out user's token, once both backends have seen the revocation feed list it.
  const carol = await signUpUser(stack.auth.url, "carol");
  const signedOut = Date.now();
  await endSession(stack.auth.url, "sign-out", { ...carol, password: "" });
  await timeToRefusal(stack.backends.list, carol.jwt, signedOut);
  credentials.token_revoked = bearer(carol.jwt);
  const client = { sub: reporter.client_id, client_id: reporter.client_id, scope: "tasks:read:any" };
  confused = {
    "a user's claims typed at+jwt": bearer(await stack.auth.sign(base, { typ: "at+jwt" })),
    "a client's claims typed JWT": bearer(await stack.auth.sign(client, { typ: "JWT" })),
    "a client's claims with no typ": bearer(await stack.auth.sign(client)),
  };
}, 180_000);
afterAll(async () => stack?.close());

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

/** Sends one request to both backends; asserts each against the contract and both against each other. */
async function both(
  expect_: Expectation,
  request: (backend: Backend) => { method: string; path: string; headers?: Record<string, string>; body?: unknown },
): Promise<Observed[]> {
  const answers = await Promise.all(
    stack.backends.list.map((backend) => {
      const { method, path, headers, body } = request(backend);
      return observe(backend.url, method, path, headers, body);
    }),
  );
  const report: string[] = [];
  stack.backends.list.forEach((backend, i) => {
    for (const problem of problems(answers[i] as Observed, expect_)) report.push(`${backend.name}: ${problem}`);
  });
  for (const diff of parity(answers[0] as Observed, answers[1] as Observed)) report.push(`parity: ${diff}`);
  expect(report, report.join("\n")).toEqual([]);
  return answers;
}

const ids = (backend: Backend) => ({ owner: alice.id, task: tasks.get(backend.name) as string });

/**
 * Every 401 of a bad credential, and a token under another scheme: a new code needs its
 * credential here. The step-up 401 is a good token's, asked for by a route (below).
 */
const CREDENTIAL_CASES = [
  ...Object.entries(CONTRACT.authErrors).flatMap(([code, spec]) =>
    spec.status === 401 && spec.challenge !== "insufficient_user_authentication" ? [code] : [],
  ),
  "other_scheme",
];

const ALL_ROUTES: readonly Route[] = [...PROTECTED_ROUTES, ...ADMIN_ROUTES];

describe.each(ALL_ROUTES.map((route) => [routeName(route), route] as [string, Route]))("%s", (_name, route) => {
  const send = (headers: Record<string, string> | undefined) => (backend: Backend) => ({
    method: route.method,
    path: route.path(ids(backend)),
    headers,
    body: route.body,
  });
  it.each(CREDENTIAL_CASES)("answers %s with 401 and the exact challenge on both backends", async (kind) => {
    await both({ status: 401, code: CODE_OF[kind] ?? kind }, send(credentials[kind]));
  });
  it("answers a malformed role claim with 401 invalid_claims", async () => {
    await both({ status: 401, code: "invalid_claims" }, send(malformedRole));
  });
  it("answers a role tampered to admin with 401 invalid_signature", async () => {
    await both({ status: 401, code: "invalid_signature" }, send(tamperedRole));
  });
  it.each(["amr as a string", "amr holding a number", "auth_time in the future", "auth_time as a string"])(
    "answers a token with %s with 401 invalid_claims",
    async (kind) => {
      await both({ status: 401, code: "invalid_claims" }, send(malformedSignIn[kind]));
    },
  );
  it("answers token confusion (RFC 9068 §4) with 401 invalid_claims", async () => {
    for (const [kind, headers] of Object.entries(confused)) {
      await expect(both({ status: 401, code: "invalid_claims" }, send(headers)), kind).resolves.toBeDefined();
    }
  });
});

describe("machine clients: the client column", () => {
  const clientBearer = async (scope: string) => bearer(await clientToken(stack.auth.url, reporter, scope));

  it.each(PROTECTED_ROUTES.map((route) => [routeName(route), route] as const))(
    "%s is for people: a client token is 403 user_required on both",
    async (_name, route) => {
      const headers = await clientBearer("tasks:read:any tasks:write:any users:list");
      await both({ status: 403, code: "user_required" }, (backend) => ({
        method: route.method,
        path: route.path(ids(backend)),
        headers,
        body: route.body,
      }));
    },
  );

  it.each(ADMIN_ROUTES.map((route) => [routeName(route), route] as const))(
    "%s: a client without its scope is 403 insufficient_permission; with it, admitted",
    async (_name, route) => {
      const others = ["tasks:read:any", "tasks:write:any", "users:list"].filter((s) => s !== route.permission);
      const without = await clientBearer(others.join(" "));
      await both({ status: 403, code: "insufficient_permission" }, (backend) => ({
        method: route.method,
        path: route.path(ids(backend)),
        headers: without,
      }));
      const granted = await clientBearer(route.permission);
      if (route.method === "GET") {
        await both({ status: 200 }, (backend) => ({ method: "GET", path: route.path(ids(backend)), headers: granted }));
        return;
      }
      const doomed = new Map<string, string>();
      for (const backend of stack.backends.list) doomed.set(backend.name, await createTask(backend, bob.jwt, "doomed"));
      await both({ status: 204 }, (backend) => ({
        method: route.method,
        path: route.path({ owner: bob.id, task: doomed.get(backend.name) as string }),
        headers: granted,
      }));
    },
  );

  it("a reporting job reads every user's tasks with tasks:read:any, as an admin does", async () => {
    const headers = await clientBearer("tasks:read:any");
    const [py, ts] = await both({ status: 200 }, () => ({
      method: "GET",
      path: `/api/admin/tasks?owner=${alice.id}`,
      headers,
    }));
    for (const answer of [py, ts]) {
      const owners = new Set(((answer as Observed).body as { user_id: string }[]).map((t) => t.user_id));
      expect([...owners]).toEqual([alice.id]);
    }
  });
});

describe.each(ADMIN_ROUTES.map((route) => [routeName(route), route] as const))("roles on %s", (_name, route) => {
  const send = (headers: Record<string, string>) => (backend: Backend) => ({
    method: route.method,
    path: route.path(ids(backend)),
    headers,
  });
  it("a plain user gets 403 insufficient_role with the insufficient_scope challenge", async () => {
    await both({ status: 403, code: "insufficient_role" }, send(bearer(bob.jwt)));
  });
  it(`an admin without ${route.permission} gets 403 insufficient_permission`, async () => {
    await both({ status: 403, code: "insufficient_permission" }, send(adminWithoutPermissions));
  });
  it("an admin signed in with the password alone gets the step-up 401 (RFC 9470), no data", async () => {
    const [answer] = await both(
      { status: 401, code: "insufficient_user_authentication", stepUp: { mfa: true } },
      send(bearer(passwordAdmin.jwt)),
    );
    expect(answer?.wwwAuthenticate).toContain(`acr_values="${CONTRACT.stepUp.mfaAcr}"`);
  });
  it("the same kind of admin after a second factor is let in", async () => {
    const ok = route.method === "DELETE" ? 404 : 200;
    const path = route.method === "DELETE" ? "/api/admin/tasks/00000000-0000-0000-0000-000000000000" : undefined;
    await both({ status: ok, ...(ok === 404 ? { code: "not_found" } : {}) }, (backend) => ({
      ...send(bearer(root.jwt))(backend),
      ...(path ? { path } : {}),
    }));
  });
});

describe("admins", () => {
  it("list every user's tasks, with an owner filter, and the users with their counts", async () => {
    const answers = await both({ status: 200 }, () => ({
      method: "GET",
      path: "/api/admin/tasks?limit=100",
      headers: bearer(root.jwt),
    }));
    answers.forEach((answer, i) => {
      const owners = new Set((answer.body as { user_id: string }[]).map((t) => t.user_id));
      expect(owners.has(alice.id), stack.backends.list[i]?.name).toBe(true);
    });
    const [owned] = await both({ status: 200 }, () => ({
      method: "GET",
      path: `/api/admin/tasks?owner=${alice.id}`,
      headers: bearer(root.jwt),
    }));
    const ownedTasks = (owned as Observed).body as { user_id: string }[];
    expect(ownedTasks.length).toBeGreaterThan(0);
    expect(ownedTasks.filter((t) => t.user_id !== alice.id)).toEqual([]);
    const [users] = await both({ status: 200 }, () => ({
      method: "GET",
      path: "/api/admin/users?limit=100",
      headers: bearer(root.jwt),
    }));
    expect(users?.body).toContainEqual({ user_id: alice.id, task_count: expect.any(Number) });
  });

  it("read another user's list through /api/users/:id/tasks; writing there stays forbidden", async () => {
    const [list] = await both({ status: 200 }, () => ({
      method: "GET",
      path: `/api/users/${alice.id}/tasks`,
      headers: bearer(root.jwt),
    }));
    expect((list as Observed).body).not.toEqual([]);
    await both({ status: 403, code: "forbidden" }, () => ({
      method: "POST",
      path: `/api/users/${alice.id}/tasks`,
      headers: bearer(root.jwt),
      body: { title: "planted" },
    }));
    await both({ status: 403, code: "forbidden" }, (backend) => ({
      method: "GET",
      path: `/api/tasks/${ids(backend).task}`,
      headers: bearer(root.jwt),
    }));
  });

  it("delete anyone's task; a missing one is 404", async () => {
    const doomed = new Map<string, string>();
    for (const backend of stack.backends.list) doomed.set(backend.name, await createTask(backend, bob.jwt, "doomed"));
    await both({ status: 204 }, (backend) => ({
      method: "DELETE",
      path: `/api/admin/tasks/${doomed.get(backend.name)}`,
      headers: bearer(root.jwt),
    }));
    await both({ status: 404, code: "not_found" }, (backend) => ({
      method: "GET",
      path: `/api/tasks/${doomed.get(backend.name)}`,
      headers: bearer(bob.jwt),
    }));
    await both({ status: 404, code: "not_found" }, () => ({
      method: "DELETE",
      path: "/api/admin/tasks/00000000-0000-0000-0000-000000000000",
      headers: bearer(root.jwt),
    }));
  });

  it("the order: authentication, then role, then the query's validity", async () => {
    await both({ status: 401, code: "token_expired" }, () => ({
      method: "GET",
      path: "/api/admin/tasks?limit=0",
      headers: credentials.token_expired,
    }));
    await both({ status: 403, code: "insufficient_role" }, () => ({
      method: "GET",
      path: "/api/admin/tasks?limit=0",
      headers: bearer(bob.jwt),
    }));
    await both({ status: 422, detailArray: true }, () => ({
      method: "GET",
      path: "/api/admin/tasks?limit=0",
      headers: bearer(root.jwt),
    }));
  });

  it("a role change takes effect with the next token, on both backends", async () => {
    const frank = await signUpUser(stack.auth.url, "frank");
    const asFrank = (jwt: string) => () => ({ method: "GET", path: "/api/admin/users", headers: bearer(jwt) });
    await both({ status: 403, code: "insufficient_role" }, asFrank(frank.jwt));
    await stack.auth.setRole(frank.email, "admin");
    // The token already issued keeps its claims until it expires.
    await both({ status: 403, code: "insufficient_role" }, asFrank(frank.jwt));
    const refreshed = await fetchJwt(stack.auth.url, frank.sessionToken);
    // An admin now, signed in with the password alone: the admin routes ask for a second factor.
    await both({ status: 401, code: "insufficient_user_authentication", stepUp: { mfa: true } }, asFrank(refreshed));
    await stack.auth.setRole(frank.email, "user");
    await both({ status: 403, code: "insufficient_role" }, asFrank(await fetchJwt(stack.auth.url, frank.sessionToken)));
  });
});

describe("401 is decided before validation", () => {
  it("an invalid body without a token is 401 on both", async () => {
    await both({ status: 401, code: "missing_token" }, () => ({ method: "POST", path: "/api/tasks", body: "{nope" }));
  });
  it("an invalid query with an expired token is 401 on both", async () => {
    await both({ status: 401, code: "token_expired" }, () => ({
      method: "GET",
      path: "/api/tasks?limit=0",
      headers: credentials.token_expired,
    }));
  });
});

describe("403 forbidden", () => {
  it.each(["GET", "PATCH", "DELETE"])("%s /api/tasks/:id of another user", async (method) => {
    await both({ status: 403, code: "forbidden" }, (backend) => ({
      method,
      path: `/api/tasks/${ids(backend).task}`,
      headers: bearer(bob.jwt),
      body: method === "PATCH" ? { title: "mine now" } : undefined,
    }));
  });
  it.each(["GET", "POST"])("%s /api/users/:other/tasks", async (method) => {
    await both({ status: 403, code: "forbidden" }, () => ({
      method,
      path: `/api/users/${alice.id}/tasks`,
      headers: bearer(bob.jwt),
      body: method === "POST" ? { title: "planted" } : undefined,
    }));
  });
});

describe("404 not_found", () => {
  it.each(["GET", "PATCH", "DELETE"])("%s /api/tasks/:missing", async (method) => {
    await both({ status: 404, code: "not_found" }, () => ({
      method,
      path: "/api/tasks/00000000-0000-0000-0000-000000000000",
      headers: bearer(alice.jwt),
      body: method === "PATCH" ? { title: "x" } : undefined,
    }));
  });
});

describe("422 validation", () => {
  const cases: [string, string, (b: Backend) => string, unknown][] = [
    ["empty title", "POST", () => "/api/tasks", { title: "   " }],
    ["user_id in the body", "POST", () => "/api/tasks", { title: "x", user_id: "someone" }],
    [
      "user_id in the path route body",
      "POST",
      () => `/api/users/${alice.id}/tasks`,
      { title: "x", user_id: "someone" },
    ],
    ["title too long", "POST", () => "/api/tasks", { title: "x".repeat(201) }],
    ["completed not a boolean", "POST", () => "/api/tasks", { title: "x", completed: "yes" }],
    ["malformed JSON", "POST", () => "/api/tasks", "{nope"],
    ["user_id in a PATCH", "PATCH", (b) => `/api/tasks/${ids(b).task}`, { user_id: "someone" }],
    ["null title in a PATCH", "PATCH", (b) => `/api/tasks/${ids(b).task}`, { title: null }],
    ["limit=0", "GET", () => "/api/tasks?limit=0", undefined],
    ["limit=101", "GET", () => "/api/tasks?limit=101", undefined],
    ["offset=-1", "GET", () => "/api/tasks?offset=-1", undefined],
  ];
  it.each(cases)("%s", async (_name, method, path, body) => {
    await both({ status: 422, detailArray: true }, (backend) => ({
      method,
      path: path(backend),
      headers: bearer(alice.jwt),
      body,
    }));
  });
});

describe("isolation between users", () => {
  it("create, list, get, patch and delete never cross users; a third user sees nothing", async () => {
    const carol = await signUpUser(stack.auth.url, "carol");
    const dave = await signUpUser(stack.auth.url, "dave");
    for (const backend of stack.backends.list) {
      const carolTask = await createTask(backend, carol.jwt, "carol's");
      const daveTask = await createTask(backend, dave.jwt, "dave's");
      const list = async (jwt: string) =>
        (await observe(backend.url, "GET", "/api/tasks", bearer(jwt))).body as { id: string; user_id: string }[];
      const carolList = await list(carol.jwt);
      expect(carolList.map((t) => t.id)).toEqual([carolTask]);
      expect(carolList.every((t) => t.user_id === carol.id)).toBe(true);
      expect((await list(dave.jwt)).map((t) => t.id)).toEqual([daveTask]);
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const res = await observe(
          backend.url,
          method,
          `/api/tasks/${carolTask}`,
          bearer(dave.jwt),
          method === "PATCH" ? { title: "x" } : undefined,
        );
        expect(res.status, `${backend.name} ${method}`).toBe(403);
      }
      expect((await observe(backend.url, "GET", `/api/tasks/${carolTask}`, bearer(carol.jwt))).status).toBe(200);
      const eve = await signUpUser(stack.auth.url, "eve");
      expect(await list(eve.jwt)).toEqual([]);
    }
  });
});

describe("happy paths answer alike", () => {
  it("GET /api/me", async () => {
    const [py, ts] = await both({ status: 200 }, () => ({
      method: "GET",
      path: "/api/me",
      headers: bearer(alice.jwt),
    }));
    expect(py?.body).toEqual({ id: alice.id, email: alice.email, name: alice.name, roles: ["user"], permissions: [] });
    expect(ts?.body).toEqual(py?.body);
  });
  it("POST, GET, PATCH, DELETE a task", async () => {
    const created = await both({ status: 201 }, () => ({
      method: "POST",
      path: "/api/tasks",
      headers: bearer(bob.jwt),
      body: { title: "  both  ", description: null },
    }));
    for (const answer of created) {
      expect(answer.bodyKeys).toEqual(CONTRACT.task.fields);
      expect(answer.body).toMatchObject({ title: "both", description: null, completed: false, user_id: bob.id });
    }
    const idOf = (backend: Backend) =>
      (created[stack.backends.list.indexOf(backend)] as Observed).body as { id: string };
    await both({ status: 200 }, (b) => ({ method: "GET", path: `/api/tasks/${idOf(b).id}`, headers: bearer(bob.jwt) }));
    await both({ status: 200 }, (b) => ({
      method: "PATCH",
      path: `/api/tasks/${idOf(b).id}`,
      headers: bearer(bob.jwt),
      body: { completed: true },
    }));
    await both({ status: 204 }, (b) => ({
      method: "DELETE",
      path: `/api/tasks/${idOf(b).id}`,
      headers: bearer(bob.jwt),
    }));
    await both({ status: 404, code: "not_found" }, (b) => ({
      method: "GET",
      path: `/api/tasks/${idOf(b).id}`,
      headers: bearer(bob.jwt),
    }));
  });
});

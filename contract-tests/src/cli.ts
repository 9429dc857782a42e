/**
 * `npm run contract -- --auth-url URL --api-url URL [--api-url URL2] [--client-id ID --client-secret S]`:
 * the HTTP contract matrix against services that are already running (your CI's FastAPI
 * service, say). It signs users up through the auth server, then checks every protected route's
 * 401 / 403 / 404 / 422 answers, isolation between users, and, given two APIs, that they answer
 * alike; given a machine client (`npm run clients:create`), the client column too; last, that a
 * signed-out user's token is refused within the revocation bound. Tokens with bad claims need the
 * signing key, so this mode covers the failures any client can produce.
 */
import { parseArgs } from "node:util";
import { clientToken, endSession } from "@authbridge/harness";
import { decodeJwt } from "jose";
import { signUpUser, type User } from "./auth.js";
import * as matrix from "./matrix.js";
import { BOUND_MS, timeToRefusal } from "./revocation.js";

interface Api {
  url: string;
  task: string;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "auth-url": { type: "string" },
      "api-url": { type: "string", multiple: true },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      help: { type: "boolean" },
    },
  });
  const authUrl = values["auth-url"]?.replace(/\/$/, "");
  const apiUrls = (values["api-url"] ?? []).map((u) => u.replace(/\/$/, ""));
  if (values.help || !authUrl || apiUrls.length === 0) {
    console.log(
      "usage: npm run contract -- --auth-url URL --api-url URL [--api-url URL2] [--client-id ID --client-secret SECRET]",
    );
    return values.help ? 0 : 2;
  }

  const [alice, bob, carol] = (await Promise.all(["alice", "bob", "carol"].map((n) => signUpUser(authUrl, n)))) as [
    User,
    User,
    User,
  ];
  const apis: Api[] = [];
  for (const url of apiUrls) {
    const health = await fetch(`${url}/health`).catch(() => undefined);
    if (!health?.ok) throw new Error(`${url}/health did not answer 200`);
    const created = await matrix.observe(
      url,
      "POST",
      "/api/tasks",
      { authorization: `Bearer ${alice.jwt}` },
      { title: "contract" },
    );
    if (created.status !== 201)
      throw new Error(`${url}: POST /api/tasks with a valid token answered ${created.status}`);
    apis.push({ url, task: (created.body as { id: string }).id });
  }

  let passed = 0;
  let failed = 0;
  const check = async (
    name: string,
    expect: matrix.Expectation,
    request: (api: Api) => { method: string; path: string; headers?: Record<string, string>; body?: unknown },
  ) => {
    const answers: matrix.Observed[] = [];
    const report: string[] = [];
    for (const api of apis) {
      const { method, path, headers, body } = request(api);
      const answer = await matrix.observe(api.url, method, path, headers, body);
      answers.push(answer);
      for (const p of matrix.problems(answer, expect)) report.push(`${api.url}: ${p}`);
    }
    for (let i = 1; i < answers.length; i += 1) {
      for (const d of matrix.parity(answers[0] as matrix.Observed, answers[i] as matrix.Observed))
        report.push(`matrix.parity with ${apis[i]?.url}: ${d}`);
    }
    if (report.length === 0) {
      passed += 1;
      console.log(`  ✓ ${name}`);
    } else {
      failed += 1;
      console.log(`  ✗ ${name}\n${report.map((line) => `      ${line}`).join("\n")}`);
    }
  };
  const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

  console.log(`authbridge contract: ${apis.map((a) => a.url).join(", ")} against ${authUrl}`);
  const credentials = matrix.keylessCredentials(alice.jwt);
  for (const route of [...matrix.PROTECTED_ROUTES, ...matrix.ADMIN_ROUTES]) {
    for (const [kind, headers] of Object.entries(credentials)) {
      await check(
        `${matrix.routeName(route)}: ${kind} → 401`,
        { status: 401, code: matrix.CODE_OF[kind] ?? kind },
        (api) => ({
          method: route.method,
          path: route.path({ owner: alice.id, task: api.task }),
          headers,
          body: route.body,
        }),
      );
    }
  }
  for (const method of ["GET", "PATCH", "DELETE"]) {
    await check(`${method} /api/tasks/:id of another user → 403`, { status: 403, code: "forbidden" }, (api) => ({
      method,
      path: `/api/tasks/${api.task}`,
      headers: bearer(bob.jwt),
      body: method === "PATCH" ? { title: "x" } : undefined,
    }));
    await check(`${method} /api/tasks/:missing → 404`, { status: 404, code: "not_found" }, () => ({
      method,
      path: "/api/tasks/00000000-0000-0000-0000-000000000000",
      headers: bearer(alice.jwt),
      body: method === "PATCH" ? { title: "x" } : undefined,
    }));
  }
  for (const route of matrix.ADMIN_ROUTES) {
    await check(
      `${matrix.routeName(route)} as a plain user → 403 insufficient_role`,
      { status: 403, code: "insufficient_role" },
      (api) => ({
        method: route.method,
        path: route.path({ owner: alice.id, task: api.task }),
        headers: bearer(bob.jwt),
      }),
    );
  }
  for (const method of ["GET", "POST"]) {
    await check(`${method} /api/users/:other/tasks → 403`, { status: 403, code: "forbidden" }, () => ({
      method,
      path: `/api/users/${alice.id}/tasks`,
      headers: bearer(bob.jwt),
      body: method === "POST" ? { title: "planted" } : undefined,
    }));
  }
  await check("POST /api/tasks with a user_id → 422", { status: 422, detailArray: true }, () => ({
    method: "POST",
    path: "/api/tasks",
    headers: bearer(alice.jwt),
    body: { title: "x", user_id: bob.id },
  }));
  await check("GET /api/tasks?limit=0 → 422", { status: 422, detailArray: true }, () => ({
    method: "GET",
    path: "/api/tasks?limit=0",
    headers: bearer(alice.jwt),
  }));
  await check("a third user lists nothing", { status: 200 }, () => ({
    method: "GET",
    path: "/api/tasks",
    headers: bearer(carol.jwt),
  }));
  const clientId = values["client-id"];
  const clientSecret = values["client-secret"];
  if (clientId && clientSecret) {
    const client = await clientToken(authUrl, { client_id: clientId, client_secret: clientSecret });
    const scopes = new Set(String(decodeJwt(client).scope ?? "").split(" "));
    for (const route of matrix.PROTECTED_ROUTES) {
      await check(
        `${matrix.routeName(route)}: a machine client → 403 user_required`,
        { status: 403, code: "user_required" },
        (api) => ({
          method: route.method,
          path: route.path({ owner: alice.id, task: api.task }),
          headers: bearer(client),
          body: route.body,
        }),
      );
    }
    for (const route of matrix.ADMIN_ROUTES) {
      const granted = scopes.has(route.permission);
      // Granted, a DELETE aims at a missing task: admitted past the permission, nothing deleted.
      const missing = "00000000-0000-0000-0000-000000000000";
      const expect: matrix.Expectation = granted
        ? route.method === "GET"
          ? { status: 200 }
          : { status: 404, code: "not_found" }
        : { status: 403, code: "insufficient_permission" };
      await check(
        `${matrix.routeName(route)}: a machine client ${granted ? "with" : "without"} ${route.permission} → ${expect.status}`,
        expect,
        () => ({ method: route.method, path: route.path({ owner: alice.id, task: missing }), headers: bearer(client) }),
      );
    }
  }
  for (const api of apis) {
    const list = (await matrix.observe(api.url, "GET", "/api/tasks", bearer(carol.jwt))).body;
    const ok = Array.isArray(list) && list.length === 0;
    if (ok) passed += 1;
    else failed += 1;
    console.log(`  ${ok ? "✓" : "✗"} ${api.url}: carol's list is empty`);
  }

  // Last: carol signs out, and every API must refuse her token within the bound (CONTRACT §8).
  const signedOut = Date.now();
  await endSession(authUrl, "sign-out", { ...carol, password: "" });
  try {
    const times = await timeToRefusal(
      apis.map((api) => ({ name: api.url, url: api.url })),
      carol.jwt,
      signedOut,
      "/api/tasks",
    );
    const slowest = Math.max(...Object.values(times));
    const ok = slowest <= BOUND_MS;
    if (ok) passed += 1;
    else failed += 1;
    console.log(
      `  ${ok ? "✓" : "✗"} a signed-out user's token → 401 token_revoked after ${slowest} ms (bound ${BOUND_MS} ms)`,
    );
  } catch (error) {
    failed += 1;
    console.log(`  ✗ a signed-out user's token → 401 token_revoked: ${error instanceof Error ? error.message : error}`);
  }

  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`authbridge contract: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);

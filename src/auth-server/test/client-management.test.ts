/**
 * Managing machine clients: the `clients:*` CLI as an operator runs it and the admin endpoints
 * as the demo's admin view calls them; secrets shown once, stored only hashed, never logged.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import {
  clientsCli,
  type IssuedClient,
  ROOT,
  type RunningAuthServer,
  requestClientToken,
  signUpUser,
  startAuthServer,
  type User,
} from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT } from "../../../contract-tests/src/contract.js";

let auth: RunningAuthServer;
beforeAll(async () => {
  auth = await startAuthServer({ RATE_LIMIT_MAX: "100000", RATE_LIMIT_SIGN_IN_MAX: "1000" });
});
afterAll(() => auth?.close());

const SECRET = new RegExp(`^${CONTRACT.tokenEndpoint.secretPrefix}[A-Za-z0-9_-]{43}$`);

/** Every byte the auth database holds on disk (SQLite and its write-ahead log). */
function databaseBytes(): string {
  return fs
    .readdirSync(auth.dataDir)
    .filter((name) => name.startsWith("auth.sqlite"))
    .map((name) => fs.readFileSync(path.join(auth.dataDir, name)).toString("latin1"))
    .join("");
}

describe("npm run clients:create", () => {
  let created: IssuedClient;
  let stdout: string;
  beforeAll(async () => {
    const result = await clientsCli(auth.cliEnv, "create", "--name", "partner sync", "--scope", "tasks:read:any");
    expect(result.code, result.stderr).toBe(0);
    stdout = result.stdout;
    created = result.lines[0] as IssuedClient;
  });

  it("prints exactly one JSON line: client_id, a prefixed 256-bit secret, the scope", () => {
    expect(stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(Object.keys(created).sort()).toEqual(["client_id", "client_secret", "scope"]);
    expect(created.client_secret).toMatch(SECRET);
    expect(Buffer.from(created.client_secret.slice(5), "base64url")).toHaveLength(CONTRACT.tokenEndpoint.secretBytes);
    expect(created.scope).toBe("tasks:read:any");
  });

  it("is exactly one JSON line on stdout through npm itself (`npm run clients:create -- …`)", async () => {
    const { PATH, HOME } = process.env;
    const { stdout } = await promisify(execFile)(
      "npm",
      ["run", "clients:create", "--", "--name", "through npm", "--scope", "users:list"],
      { cwd: ROOT, env: { PATH, HOME, ...auth.cliEnv } },
    );
    const lines = stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      scope: "users:list",
      client_secret: expect.stringMatching(SECRET),
    });
  });

  it("stores the secret only as a hash: the database files never hold it", () => {
    expect(databaseBytes()).toContain(created.client_id);
    expect(databaseBytes()).not.toContain(created.client_secret);
    expect(databaseBytes()).not.toContain(created.client_secret.slice(5));
  });

  it("gives every client its own secret", async () => {
    const again = (await clientsCli(auth.cliEnv, "create", "--name", "other", "--scope", "users:list"))
      .lines[0] as IssuedClient;
    expect(again.client_id).not.toBe(created.client_id);
    expect(again.client_secret).not.toBe(created.client_secret);
  });

  it("clients:list prints one JSON line per client and never a secret or its hash", async () => {
    const { lines, stdout: listed } = await clientsCli(auth.cliEnv, "list");
    const mine = lines.find((line) => (line as { client_id: string }).client_id === created.client_id);
    expect(mine).toMatchObject({ name: "partner sync", scope: "tasks:read:any", revoked_at: null });
    expect(Object.keys(mine as object).sort()).toEqual([
      "client_id",
      "created_at",
      "name",
      "revoked_at",
      "scope",
      "secret_rotated_at",
    ]);
    expect(listed).not.toMatch(/abcs_|secret_hash|secretHash/);
  });

  it.each([
    [["create", "--name", "x", "--scope", "everything"], /unknown scope everything/],
    [["create", "--name", "", "--scope", "users:list"], /client name/],
    [["rotate-secret", "client_nobody"], /no client client_nobody/],
    [["revoke", "client_nobody"], /no client client_nobody/],
  ])("refuses %j with exit 1 and a reason, printing nothing", async (args, reason) => {
    const [command, ...rest] = args as [string, ...string[]];
    const result = await clientsCli(auth.cliEnv, command, ...rest);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(reason);
    expect(result.stdout).toBe("");
  });

  it.each([[["create", "--name", "x"]], [["rotate-secret"]], [["explode"]]])(
    "answers misuse %j with the usage and exit 64",
    async (args) => {
      const [command, ...rest] = args as [string, ...string[]];
      const result = await clientsCli(auth.cliEnv, command, ...rest);
      expect(result.code).toBe(64);
      expect(result.stderr).toMatch(/usage:/);
    },
  );

  it("a revoked client cannot be rotated back to life", async () => {
    const doomed = (await clientsCli(auth.cliEnv, "create", "--name", "doomed", "--scope", "users:list"))
      .lines[0] as IssuedClient;
    expect((await clientsCli(auth.cliEnv, "revoke", doomed.client_id)).code).toBe(0);
    const again = await clientsCli(auth.cliEnv, "rotate-secret", doomed.client_id);
    expect([again.code, again.stderr.trim()]).toEqual([
      1,
      `clients:rotate-secret: client ${doomed.client_id} is revoked`,
    ]);
    expect((await requestClientToken(auth.url, doomed)).status).toBe(401);
  });
});

describe("the admin endpoints", () => {
  let admin: User;
  let plain: User;
  beforeAll(async () => {
    [admin, plain] = await Promise.all([signUpUser(auth.url, "ops"), signUpUser(auth.url, "dev")]);
    await auth.setRole(admin.email, "admin");
  });

  const call = (user: User | undefined, route: string, body?: unknown) =>
    fetch(`${auth.url}/api/auth/admin/${route}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        origin: auth.url,
        "content-type": "application/json",
        ...(user ? { authorization: `Bearer ${user.sessionToken}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("refuse anyone but a signed-in admin, before anything is written", async () => {
    const before = (await clientsCli(auth.cliEnv, "list")).lines.length;
    expect((await call(undefined, "create-client", { name: "x", scope: "users:list" })).status).toBe(401);
    const refused = await call(plain, "create-client", { name: "x", scope: "users:list" });
    expect(refused.status).toBe(403);
    expect((await call(plain, "list-clients")).status).toBe(403);
    expect((await clientsCli(auth.cliEnv, "list")).lines.length).toBe(before);
  });

  it("create, list, rotate and revoke for an admin, each audited without a secret", async () => {
    const created = await call(admin, "create-client", { name: "dashboard", scope: "users:list tasks:read:any" });
    expect(created.status).toBe(200);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const client = (await created.json()) as IssuedClient;
    expect(client.client_secret).toMatch(SECRET);
    expect((await requestClientToken(auth.url, client)).status).toBe(200);

    const { clients } = (await (await call(admin, "list-clients")).json()) as { clients: { client_id: string }[] };
    expect(clients.map((c) => c.client_id)).toContain(client.client_id);
    expect(JSON.stringify(clients)).not.toContain("abcs_");

    const rotated = (await (
      await call(admin, "rotate-client-secret", { client_id: client.client_id })
    ).json()) as IssuedClient;
    expect((await requestClientToken(auth.url, client)).status).toBe(401);
    expect((await requestClientToken(auth.url, rotated)).status).toBe(200);

    const revoked = await call(admin, "revoke-client", { client_id: client.client_id });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).not.toBeNull();
    expect((await requestClientToken(auth.url, rotated)).status).toBe(401);
    expect((await call(admin, "revoke-client", { client_id: client.client_id })).status).toBe(409);

    const events = auth.logs
      .filter((line) => line.includes(client.client_id))
      .map((line) => JSON.parse(line) as { event?: string; by?: string });
    for (const event of ["client.created", "client.secret_rotated", "client.revoked", "client.token_issued"]) {
      expect(events.map((e) => e.event)).toContain(event);
    }
    expect(events.find((e) => e.event === "client.created")?.by).toBe(admin.id);
    for (const line of auth.logs) {
      expect(line).not.toContain(client.client_secret);
      expect(line).not.toContain(rotated.client_secret);
    }
  });

  it("answer a bad scope or name with 400, and an unknown client with 404", async () => {
    expect((await call(admin, "create-client", { name: "x", scope: "root" })).status).toBe(400);
    expect((await call(admin, "create-client", { name: "bad\u0007name", scope: "users:list" })).status).toBe(400);
    expect((await call(admin, "create-client", { name: 5, scope: "users:list" })).status).toBe(400);
    expect((await call(admin, "rotate-client-secret", { client_id: "client_nobody" })).status).toBe(404);
  });
});

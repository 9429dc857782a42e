/**
 * Roles in tokens: the admin plugin's default role, ADMIN_EMAILS (never before verification), the permissions the
 * role map grants, `users:set-role` (the real CLI, as an operator runs it) taking effect on the
 * next token, the admin plugin's own endpoints, and the audit events of all of it.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { fetchJwt, newUser, type RunningAuthServer, signUpUser, startAuthServer } from "@authbridge/harness";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_PERMISSIONS } from "../src/roles.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const ADMIN_EMAIL = "Boss@Example.test";

let auth: RunningAuthServer;
beforeAll(async () => {
  auth = await startAuthServer({ ADMIN_EMAILS: ` ${ADMIN_EMAIL} , other-admin@example.test` });
});
afterAll(() => auth?.close());

const audits = () =>
  auth.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "audit");

async function signUpAs(email: string, extra: Record<string, unknown> = {}) {
  const user = { ...newUser("role"), email };
  const res = await fetch(`${auth.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: auth.url },
    body: JSON.stringify({ ...user, ...extra }),
  });
  return { res, user };
}

describe("role claims", () => {
  it("a new account has the default role user and no permissions claim", async () => {
    const user = await signUpUser(auth.url, "plain");
    const claims = decodeJwt(user.jwt);
    expect(claims.role).toBe("user");
    expect(claims).not.toHaveProperty("permissions");
  });

  it("ADMIN_EMAILS gives no role at sign-up: it waits for the address to be verified (email.test.ts)", async () => {
    const { res } = await signUpAs(ADMIN_EMAIL);
    expect(res.status).toBe(200);
    expect(((await res.clone().json()) as { user: { role: string } }).user.role).toBe("user");
    const claims = decodeJwt(await fetchJwt(auth.url, res.headers.get("set-auth-token") as string));
    expect(claims.role).toBe("user");
    expect(claims).not.toHaveProperty("permissions");
    expect(audits()).not.toContainEqual(expect.objectContaining({ event: "role.changed", by: "ADMIN_EMAILS" }));
  });

  it("a sign-up body cannot choose its own role", async () => {
    const { res } = await signUpAs(newUser("sneaky").email, { role: "admin" });
    if (res.status === 200) {
      expect(decodeJwt(await fetchJwt(auth.url, res.headers.get("set-auth-token") as string)).role).toBe("user");
    } else {
      expect(res.status).toBe(400);
    }
  });

  it("a role change shows in the next token, not in the one already issued", async () => {
    const user = await signUpUser(auth.url, "promoted");
    await auth.setRole(user.email, "admin,user");
    expect(decodeJwt(user.jwt).role).toBe("user");
    const next = decodeJwt(await fetchJwt(auth.url, user.sessionToken));
    expect(next.role).toBe("admin,user");
    expect(next.permissions).toEqual([...ROLE_PERMISSIONS.admin].sort());
    await auth.setRole(user.email, "user");
    expect(decodeJwt(await fetchJwt(auth.url, user.sessionToken)).role).toBe("user");
    expect(audits()).toContainEqual(
      expect.objectContaining({
        event: "role.changed",
        user_id: user.id,
        role: "admin,user",
        previous: "user",
        by: "cli",
      }),
    );
  });

  it("refuses a role the map does not know", async () => {
    const user = await signUpUser(auth.url, "unknown-role");
    await expect(auth.setRole(user.email, "superuser")).rejects.toThrow(
      /unknown role superuser; known roles: user, admin/,
    );
    await expect(auth.setRole("nobody@example.test", "admin")).rejects.toThrow(/no account/);
  });
});

describe("npm run users:set-role", () => {
  const cli = (args: string[]) =>
    run("npx", ["tsx", "src/auth-server/src/cli/set-role.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "test", DATA_DIR: auth.dataDir, BETTER_AUTH_URL: auth.url, LOG_LEVEL: "warn" },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it("makes an account admin; the running server's next token says so", async () => {
    const user = await signUpUser(auth.url, "cli");
    const result = await cli([user.email, "admin"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${user.email}: role user → admin`);
    expect(decodeJwt(await fetchJwt(auth.url, user.sessionToken)).role).toBe("admin");
  });

  it("explains its usage, and names an unknown role or account, with a non-zero exit", async () => {
    expect(await cli([])).toMatchObject({ code: 64, stderr: expect.stringContaining("usage: npm run users:set-role") });
    const user = await signUpUser(auth.url, "cli-bad");
    expect(await cli([user.email, "root"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("unknown role root"),
    });
    expect(await cli(["ghost@example.test", "admin"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no account"),
    });
  });
});

describe("the admin plugin's endpoints", () => {
  const setRole = (sessionToken: string, userId: string, role: string) =>
    fetch(`${auth.url}/api/auth/admin/set-role`, {
      method: "POST",
      headers: { authorization: `Bearer ${sessionToken}`, "content-type": "application/json", origin: auth.url },
      body: JSON.stringify({ userId, role }),
    });

  it("an admin may set a role (audited); a plain user is refused (audited)", async () => {
    // An operator's admin (ADMIN_EMAILS waits for a verified address: email.test.ts).
    const adminUser = await signUpUser(auth.url, "an-admin");
    await auth.setRole(adminUser.email, "admin");
    const adminSession = adminUser.sessionToken;
    const target = await signUpUser(auth.url, "target");
    const plain = await signUpUser(auth.url, "plain-caller");

    const refused = await setRole(plain.sessionToken, target.id, "admin");
    expect(refused.status).toBe(403);
    const allowed = await setRole(adminSession, target.id, "admin");
    expect(allowed.status).toBe(200);
    expect(decodeJwt(await fetchJwt(auth.url, target.sessionToken)).role).toBe("admin");

    expect(audits()).toContainEqual(
      expect.objectContaining({ event: "admin.set_role", user_id: adminUser.id, target_id: target.id, role: "admin" }),
    );
    expect(audits()).toContainEqual(
      expect.objectContaining({
        event: "admin.set_role.failure",
        status: 403,
        user_id: plain.id,
        target_id: target.id,
      }),
    );
  });
});

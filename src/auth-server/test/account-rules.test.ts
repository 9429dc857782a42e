/**
 * The auth server's weak spots, closed: name and image rules, a real password strength check,
 * a password change that signs every other session out, a short secret refused everywhere,
 * private database files, and audit events with the real status.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fetchJwt, newUser, type RunningAuthServer, signIn, signUp, startAuthServer } from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkImage } from "../src/account-rules.js";
import { createAuthServer } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

let running: RunningAuthServer;
beforeAll(async () => {
  running = await startAuthServer({ RATE_LIMIT_SIGN_IN_MAX: "1000" });
});
afterAll(() => running?.close());

const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${running.url}/api/auth${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: running.url, ...headers },
    body: JSON.stringify(body),
  });
const refusal = async (res: Response) => ({
  status: res.status,
  ...((await res.json()) as { code: string; message: string }),
});
const audits = () => running.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === "audit");

describe("sign-up and profile rules", () => {
  it("limits name to 100 characters (a longer one would push the token past the verifiers' cap)", async () => {
    const long = await refusal(await post("/sign-up/email", { ...newUser("long"), name: "n".repeat(101) }));
    expect(long).toMatchObject({ status: 400, code: "NAME_TOO_LONG", message: "name must be at most 100 characters" });
    expect((await post("/sign-up/email", { ...newUser("edge"), name: "é".repeat(100) })).status).toBe(200);
  });

  it("accepts only web addresses as the image: never javascript:", async () => {
    const script = await refusal(await post("/sign-up/email", { ...newUser("img"), image: "javascript:alert(1)" }));
    expect(script).toMatchObject({ status: 400, code: "INVALID_IMAGE_URL" });
    expect((await post("/sign-up/email", { ...newUser("img2"), image: "https://example.test/a.png" })).status).toBe(
      200,
    );
    expect(() => checkImage("http://example.test/a.png", false)).toThrow(/https:/);
    expect(() => checkImage("http://example.test/a.png", true)).not.toThrow();
    expect(() => checkImage("", false)).not.toThrow();
  });

  it("applies the same rules when a profile is updated", async () => {
    const user = newUser("update");
    const { sessionToken } = await signUp(running.url, user);
    const res = await post("/update-user", { name: "x".repeat(500) }, { authorization: `Bearer ${sessionToken}` });
    expect(await refusal(res)).toMatchObject({ status: 400, code: "NAME_TOO_LONG" });
  });
});

describe("password strength", () => {
  it.each([
    ["twelve equal letters", "aaaaaaaaaaaa", "PASSWORD_TOO_WEAK"],
    ["twelve spaces", "            ", "PASSWORD_TOO_WEAK"],
    ["a common password", "password1234", "PASSWORD_TOO_WEAK"],
    ["the email itself", "EMAIL", "PASSWORD_CONTAINS_EMAIL"],
    ["the email's name part inside", "my-LOCAL-is-long-enough", "PASSWORD_CONTAINS_EMAIL"],
  ])("refuses %s, naming the rule", async (_name, password, code) => {
    const user = newUser("weak");
    const local = user.email.split("@")[0] as string;
    const chosen = password === "EMAIL" ? user.email : password.replace("LOCAL", local);
    const res = await refusal(await post("/sign-up/email", { ...user, password: chosen }));
    expect(res).toMatchObject({ status: 400, code });
    expect(res.message).toMatch(/password (is too easy to guess|must not contain)/);
  });

  it("records the refusal in the audit log with its real status", async () => {
    await post("/sign-up/email", { ...newUser("audited"), password: "aaaaaaaaaaaa" });
    expect(audits()).toContainEqual(
      expect.objectContaining({ event: "sign_up.failure", status: 400, reason: "PASSWORD_TOO_WEAK" }),
    );
  });
});

describe("POST /api/auth/change-password", () => {
  it("signs every other session out, whatever the client asks; refuses a weak new password", async () => {
    const user = newUser("change");
    const { sessionToken: first } = await signUp(running.url, user);
    const second = (await signIn(running.url, user)).headers.get("set-auth-token") as string;
    expect(await fetchJwt(running.url, second)).toBeTruthy();

    const weak = await post(
      "/change-password",
      { currentPassword: user.password, newPassword: "aaaaaaaaaaaa" },
      { authorization: `Bearer ${first}` },
    );
    expect(await refusal(weak)).toMatchObject({ status: 400, code: "PASSWORD_TOO_WEAK" });

    const changed = await post(
      "/change-password",
      { currentPassword: user.password, newPassword: `${newUser("x").password}-2`, revokeOtherSessions: false },
      { authorization: `Bearer ${first}` },
    );
    expect(changed.status).toBe(200);
    const renewed = changed.headers.get("set-auth-token") as string;
    expect(
      (await fetch(`${running.url}/api/auth/token`, { headers: { authorization: `Bearer ${second}` } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${running.url}/api/auth/token`, { headers: { authorization: `Bearer ${first}` } })).status,
    ).toBe(401);
    expect(await fetchJwt(running.url, renewed)).toBeTruthy();
    expect(audits()).toContainEqual(expect.objectContaining({ event: "password.changed" }));
  });
});

describe("sessions", () => {
  it("lists the user's sessions and revokes the others (audited)", async () => {
    const user = newUser("sessions");
    const { sessionToken: mine } = await signUp(running.url, user);
    const other = (await signIn(running.url, user)).headers.get("set-auth-token") as string;
    const auth = { authorization: `Bearer ${mine}` };
    const listed = await fetch(`${running.url}/api/auth/list-sessions`, { headers: auth });
    expect(((await listed.json()) as unknown[]).length).toBe(2);
    expect((await post("/revoke-other-sessions", {}, auth)).status).toBe(200);
    expect(
      (await fetch(`${running.url}/api/auth/token`, { headers: { authorization: `Bearer ${other}` } })).status,
    ).toBe(401);
    expect(await fetchJwt(running.url, mine)).toBeTruthy();
    expect(audits()).toContainEqual(expect.objectContaining({ event: "session.revoked" }));
  });
});

describe("secrets and files", () => {
  it("refuses a secret shorter than 32 characters in every environment", () => {
    for (const NODE_ENV of ["development", "test", "production"]) {
      expect(() => loadConfig({ NODE_ENV, BETTER_AUTH_SECRET: "abc" }, { dataDir: os.tmpdir() })).toThrow(ConfigError);
    }
  });

  it("keeps DATA_DIR 0700 and the database and secret files 0600, and tightens looser ones at start-up", async () => {
    const mode = (file: string) => fs.statSync(file).mode & 0o777;
    expect(mode(running.dataDir)).toBe(0o700);
    for (const name of ["auth.sqlite", "auth.sqlite-wal", "auth.sqlite-shm", "secret"]) {
      const file = path.join(running.dataDir, name);
      if (fs.existsSync(file)) expect(mode(file), name).toBe(0o600);
    }
    expect(fs.existsSync(path.join(running.dataDir, "auth.sqlite-wal"))).toBe(true);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-modes-"));
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, "auth.sqlite"), "");
    fs.chmodSync(path.join(dataDir, "auth.sqlite"), 0o644);
    const again = await createAuthServer(loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent" }, { dataDir }), {
      logSink: () => {},
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, "auth.sqlite"))).toBe(0o600);
      expect(mode(path.join(dataDir, "secret"))).toBe(0o600);
    } finally {
      await again.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("cookies in production over https", () => {
  it("are __Host- cookies: Secure, Path=/, no Domain", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-cookies-"));
    const server = await createAuthServer(
      loadConfig(
        {
          NODE_ENV: "production",
          BETTER_AUTH_URL: "https://auth.example.test",
          BETTER_AUTH_SECRET: "c".repeat(40),
          REQUIRE_EMAIL_VERIFICATION: "false",
          LOG_LEVEL: "silent",
        },
        { dataDir },
      ),
      { logSink: () => {} },
    );
    try {
      const res = await server.app.request("https://auth.example.test/api/auth/sign-up/email", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://auth.example.test" },
        body: JSON.stringify(newUser("cookie")),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^__Host-authbridge\.session_token=/);
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; Path=\//i);
      expect(cookie).not.toMatch(/; Domain=/i);
      // And the session it carries is accepted.
      const token = await server.app.request("https://auth.example.test/api/auth/token", {
        headers: { cookie: cookie.split(";")[0] as string },
      });
      expect(token.status).toBe(200);
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

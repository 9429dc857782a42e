/**
 * MFA_REQUIRED_ROLES on the auth server's admin operations: an admin whose session has no
 * second factor gets RFC 9470's 401 and the operation does not run; after enrolling (or signing
 * in with a code) the same admin is let in. Anyone else is answered as before.
 */
import {
  claimsOf,
  enrolTotp,
  fetchJwt,
  newUser,
  type RunningAuthServer,
  signInWithSecondFactor,
  signUp,
  startAuthServer,
} from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { MFA_ACR, STEP_UP_CHALLENGE } from "../src/two-factor/step-up.js";

let auth: RunningAuthServer;
beforeAll(async () => {
  auth = await startAuthServer({
    MFA_REQUIRED_ROLES: "admin",
    RATE_LIMIT_SIGN_IN_MAX: "1000",
    RATE_LIMIT_MAX: "100000",
  });
}, 60_000);
afterAll(() => auth?.close());

async function account(label: string, role?: string) {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(auth.url, user);
  if (role) await auth.setRole(user.email, role);
  return { ...user, id: userId, sessionToken };
}

function adminCall(sessionToken: string, path: string, body?: unknown) {
  return fetch(`${auth.url}/api/auth/admin/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${sessionToken}`, "content-type": "application/json", origin: auth.url },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe("an admin without a second factor", () => {
  it("gets 401 insufficient_user_authentication with the RFC 9470 challenge on every admin operation", async () => {
    const admin = await account("admin-pwd", "admin");
    for (const [path, body] of [
      ["list-clients", undefined],
      ["create-client", { name: "nightly", scope: "tasks:read:any" }],
      ["list-users", undefined],
    ] as const) {
      const res = await adminCall(admin.sessionToken, path, body);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(STEP_UP_CHALLENGE);
      expect(STEP_UP_CHALLENGE).toContain(`acr_values="${MFA_ACR}"`);
      expect(await res.json()).toMatchObject({ code: "INSUFFICIENT_USER_AUTHENTICATION" });
    }
  });

  it("changes no role: set-role is refused before it runs", async () => {
    const admin = await account("admin-setter", "admin");
    const target = await account("target");
    const res = await adminCall(admin.sessionToken, "set-role", { userId: target.id, role: "admin" });
    expect(res.status).toBe(401);
    expect(claimsOf(await fetchJwt(auth.url, target.sessionToken)).role).toBe("user");
  });
});

describe("others are answered as before", () => {
  it("a user who is not an admin: 403", async () => {
    const user = await account("plain");
    expect((await adminCall(user.sessionToken, "list-clients")).status).toBe(403);
  });

  it("no session: 401 without the step-up challenge", async () => {
    const res = await fetch(`${auth.url}/api/auth/admin/list-clients`, { headers: { origin: auth.url } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBeNull();
  });
});

describe("the same admin after the second factor", () => {
  it("is let in on the session that confirmed enrolment, and after a sign-in with a code", async () => {
    const admin = await account("admin-mfa", "admin");
    const enrolled = await enrolTotp(auth.url, admin);
    expect((await adminCall(enrolled.sessionToken, "list-clients")).status).toBe(200);
    const created = await adminCall(enrolled.sessionToken, "create-client", {
      name: "reports",
      scope: "tasks:read:any",
    });
    expect(created.status).toBe(200);
    const signed = await signInWithSecondFactor(auth.url, admin, enrolled);
    expect((await adminCall(signed.sessionToken, "list-users")).status).toBe(200);
  });
});

describe("MFA_REQUIRED_ROLES", () => {
  const base = { BETTER_AUTH_SECRET: "x".repeat(40), SMTP_URL: "smtp://127.0.0.1:2525" };
  it("defaults to admin in production and to nobody in development", () => {
    expect(
      loadConfig({ ...base, NODE_ENV: "production", BETTER_AUTH_URL: "https://auth.example" }, { dataDir: "/tmp" })
        .twoFactor.mfaRequiredRoles,
    ).toEqual(["admin"]);
    expect(loadConfig({ NODE_ENV: "development" }, { dataDir: "/tmp" }).twoFactor.mfaRequiredRoles).toEqual([]);
    expect(
      loadConfig(
        { NODE_ENV: "production", ...base, BETTER_AUTH_URL: "https://auth.example", MFA_REQUIRED_ROLES: "" },
        { dataDir: "/tmp" },
      ).twoFactor.mfaRequiredRoles,
    ).toEqual([]);
  });

  it("refuses a role the server does not know (a typo would turn the policy off)", () => {
    expect(() => loadConfig({ MFA_REQUIRED_ROLES: "admn" }, { dataDir: "/tmp" })).toThrow(
      /MFA_REQUIRED_ROLES: "admn" is not a role/,
    );
  });
});

/**
 * MFA_REQUIRED_ROLES=admin on the admin routes, per route and verb: an admin needs a sign-in
 * with a second factor (the step-up 401 otherwise, never data), after the role and the
 * permission; a machine client is judged by its scopes; the other routes ask nothing more
 * (python-backend's tests/api/test_step_up.py is the twin).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { ADMIN_PERMISSIONS, startTwin, type Twin } from "./support.js";

let twin: Twin;
beforeEach(async () => {
  twin = await startTwin({ adminRequiresMfa: true });
});
afterEach(async () => twin.close());

const DETAIL = "This action requires a stronger or more recent sign-in";
const MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
const STEP_UP = `Bearer realm="api", error="insufficient_user_authentication", error_description="${DETAIL}", acr_values="${MFA_ACR}"`;
const MISSING = "00000000-0000-0000-0000-000000000000";
const ROUTES = [
  ["GET", "/api/admin/tasks", 200],
  ["DELETE", `/api/admin/tasks/${MISSING}`, 404],
  ["GET", "/api/admin/users", 200],
] as const;
const signedIn = (amr: string[]) => ({ amr, auth_time: Math.floor(Date.now() / 1000) - 30 });

describe.each(ROUTES)("%s %s", (method, path, ok) => {
  it("lets an admin with a second factor in", async () => {
    const res = await twin.app.request(path, { method, headers: twin.admin("root", signedIn(["pwd", "otp", "mfa"])) });
    expect(res.status).toBe(ok);
  });

  it.each([
    ["a password sign-in", signedIn(["pwd"])],
    ["a token without amr", {}],
  ])("answers %s with the step-up 401 and no data", async (_name, claims) => {
    const res = await twin.app.request(path, { method, headers: twin.admin("root", claims) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(STEP_UP);
    expect(await res.json()).toEqual({ detail: DETAIL, code: "insufficient_user_authentication" });
  });
});

describe("the order and the other callers", () => {
  it("checks the role and the permission first", async () => {
    const plain = await twin.app.request("/api/admin/tasks", {
      headers: twin.auth("alice", { role: "user", ...signedIn(["pwd"]) }),
    });
    expect(((await plain.json()) as { code: string }).code).toBe("insufficient_role");
    const partial = await twin.app.request("/api/admin/tasks", {
      headers: twin.admin("root", { permissions: ["users:list"], ...signedIn(["pwd"]) }),
    });
    expect(((await partial.json()) as { code: string }).code).toBe("insufficient_permission");
  });

  it("judges a machine client by its scopes", async () => {
    expect((await twin.app.request("/api/admin/tasks", { headers: twin.client("tasks:read:any") })).status).toBe(200);
  });

  it("asks nothing more on the routes for everyone", async () => {
    const res = await twin.app.request("/api/tasks", { headers: twin.admin("root", signedIn(["pwd"])) });
    expect(res.status).toBe(200);
  });

  it("reads the policy as python-backend does: MFA_REQUIRED_ROLES, else admins in production", () => {
    expect(loadConfig({ ENVIRONMENT: "production" }).adminRequiresMfa).toBe(true);
    expect(loadConfig({ NODE_ENV: "production" }).adminRequiresMfa).toBe(true);
    expect(loadConfig({}).adminRequiresMfa).toBe(false);
    expect(loadConfig({ ENVIRONMENT: "production", MFA_REQUIRED_ROLES: "" }).adminRequiresMfa).toBe(false);
    expect(loadConfig({ MFA_REQUIRED_ROLES: " admin , sales" }).adminRequiresMfa).toBe(true);
    expect(ADMIN_PERMISSIONS).toContain("users:list");
  });
});

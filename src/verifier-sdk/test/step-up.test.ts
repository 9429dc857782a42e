/**
 * Step-up (RFC 9470): requireMfa / requireRecentSignIn middleware and checkAuthentication in a
 * handler; the 401 insufficient_user_authentication with a challenge naming what the route
 * requires, after authentication; clients admitted or refused (python-backend's
 * tests/test_step_up.py is the twin).
 */
import {
  AuthError,
  checkAuthentication,
  createVerifier,
  hasMfa,
  MFA_ACR,
  principalFromClaims,
} from "@authbridge/verifier";
import {
  authErrorHandler,
  requireCaller,
  requireMfa,
  requireRecentSignIn,
  requireUser,
} from "@authbridge/verifier/hono";
import {
  generateTestKey,
  makeClientToken,
  makeToken,
  serveJwks,
  TEST_AUDIENCE,
  TEST_ISSUER,
} from "@authbridge/verifier/testing";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DETAIL = "This action requires a stronger or more recent sign-in";
const CHALLENGE = `Bearer realm="api", error="insufficient_user_authentication", error_description="${DETAIL}"`;
const TOTP = ["pwd", "otp", "mfa"];

const key = generateTestKey("step-up");
let jwks: Awaited<ReturnType<typeof serveJwks>>;
let api: Hono;
beforeAll(async () => {
  jwks = await serveJwks(key);
  const verifier = createVerifier({
    jwksUrl: jwks.url,
    revocationUrl: jwks.revocationUrl,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
  });
  api = new Hono();
  api.onError(authErrorHandler());
  api.use("/api/account/*", requireUser(verifier));
  api.use("/api/admin/*", requireCaller(verifier));
  api.delete("/api/account/me", requireMfa(), (c) => c.json({ id: c.var.user.id }));
  api.post("/api/account/email", requireRecentSignIn(300), (c) => c.json({ id: c.var.user.id }));
  api.post("/api/account/payout", (c) => {
    checkAuthentication(c.var.user, { mfa: true }); // the same check, in a handler
    return c.json({ id: c.var.user.id });
  });
  api.get("/api/admin/export", requireMfa({ maxAge: 900, clients: "admit" }), (c) => c.json({ ok: true }));
  api.get("/api/admin/strict", requireMfa(), (c) => c.json({ ok: true }));
});
afterAll(() => jwks?.close());

const now = () => Math.floor(Date.now() / 1000);
const bearer = (claims: Record<string, unknown> = {}) => ({
  authorization: `Bearer ${makeToken("alice", { iss: TEST_ISSUER, aud: TEST_AUDIENCE, ...claims }, { key })}`,
});
const signedIn = (amr: string[], secondsAgo = 60) => bearer({ amr, auth_time: now() - secondsAgo });

describe("requireMfa", () => {
  it("admits a sign-in with a second factor", async () => {
    expect(await (await api.request("/api/account/me", { method: "DELETE", headers: signedIn(TOTP) })).json()).toEqual({
      id: "alice",
    });
    expect((await api.request("/api/account/me", { method: "DELETE", headers: signedIn(["pwd", "mfa"]) })).status).toBe(
      200,
    );
  });

  it.each([[["pwd"]], [["otp"]], [[]], [undefined]])("refuses amr %j with the RFC 9470 challenge", async (amr) => {
    const headers = amr === undefined ? bearer() : signedIn(amr);
    const res = await api.request("/api/account/me", { method: "DELETE", headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`${CHALLENGE}, acr_values="${MFA_ACR}"`);
    expect(await res.text()).toBe(`{"detail":"${DETAIL}","code":"insufficient_user_authentication"}`);
  });

  it("names both requirements, whichever failed", async () => {
    const res = await api.request("/api/admin/export", { headers: signedIn(TOTP, 1000) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`${CHALLENGE}, acr_values="${MFA_ACR}", max_age=900`);
  });

  it("refuses a client by default (user_required) and admits one where the route says so", async () => {
    const client = {
      authorization: `Bearer ${makeClientToken("client_x", "tasks:read:any", { iss: TEST_ISSUER, aud: TEST_AUDIENCE }, { key })}`,
    };
    const refused = await api.request("/api/admin/strict", { headers: client });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("user_required");
    expect((await api.request("/api/admin/export", { headers: client })).status).toBe(200);
  });

  it("comes after authentication", async () => {
    const res = await api.request("/api/account/me", {
      method: "DELETE",
      headers: bearer({ amr: TOTP, exp: now() - 60 }),
    });
    expect(((await res.json()) as { code: string }).code).toBe("token_expired");
  });
});

describe("requireRecentSignIn", () => {
  it("names max_age when the sign-in is older, or has no auth_time", async () => {
    expect((await api.request("/api/account/email", { method: "POST", headers: signedIn(["pwd"], 100) })).status).toBe(
      200,
    );
    for (const headers of [signedIn(TOTP, 301), bearer({ amr: TOTP })]) {
      const res = await api.request("/api/account/email", { method: "POST", headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(`${CHALLENGE}, max_age=300`);
    }
  });

  it.each([[-1], [1.5], [Number.NaN]])("refuses maxAge %s when the app is built", (maxAge) => {
    expect(() => requireRecentSignIn(maxAge)).toThrow(TypeError);
  });
});

describe("checkAuthentication", () => {
  it("answers in a handler as the middleware does", async () => {
    const res = await api.request("/api/account/payout", { method: "POST", headers: signedIn(["pwd"]) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`${CHALLENGE}, acr_values="${MFA_ACR}"`);
    expect((await api.request("/api/account/payout", { method: "POST", headers: signedIn(TOTP) })).status).toBe(200);
  });

  it("reads amr and auth_time from the principal", () => {
    const at = 1_800_000_000;
    const user = principalFromClaims({ sub: "u", amr: TOTP, auth_time: at - 10 });
    expect(hasMfa(user)).toBe(true);
    checkAuthentication(user, { mfa: true, maxAge: 10 }, at);
    let caught: unknown;
    try {
      checkAuthentication(user, { maxAge: 9 }, at);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuthError);
    expect((caught as AuthError).stepUp).toEqual({ acrValues: undefined, maxAge: 9 });
    expect((caught as AuthError).status).toBe(401);
  });

  it("requires something", () => {
    expect(() => checkAuthentication(principalFromClaims({ sub: "u" }), {})).toThrow(TypeError);
  });
});

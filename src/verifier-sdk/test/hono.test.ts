/** The Hono middleware answers byte for byte as CONTRACT §3. */
import { createVerifier } from "@authbridge/verifier";
import {
  authErrorHandler,
  optionalUser,
  requireOwner,
  requirePermission,
  requireRole,
  requireUser,
} from "@authbridge/verifier/hono";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { AUDIENCE, claimsFor, ISSUER, signTestToken, useKeyAndJwks } from "./support.js";

const fx = useKeyAndJwks("all");

function app(jwksUrl = fx.jwks.url) {
  const verifier = createVerifier({
    jwksUrl,
    revocationUrl: fx.jwks.revocationUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: fx.clock.now,
  });
  const api = new Hono();
  api.onError(authErrorHandler());
  api.use("/api/*", requireUser(verifier));
  api.get("/api/me", (c) => c.json({ id: c.var.user.id }));
  api.get("/api/users/:id", (c) => {
    requireOwner(c, c.req.param("id"));
    return c.json({ ok: true });
  });
  api.get("/open", optionalUser(verifier), (c) => c.json({ user: c.get("user")?.id ?? null }));
  api.get("/api/admin/stats", requireRole("admin", "auditor"), (c) => c.json({ roles: c.var.user.roles }));
  api.delete("/api/admin/tasks", requireRole("admin"), requirePermission("tasks:write:any", "tasks:read:any"), (c) =>
    c.json({ permissions: c.var.user.permissions }),
  );
  api.get("/maybe-admin", optionalUser(verifier), requireRole("admin"), (c) => c.json({ ok: true }));
  return api;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const INVALID = (d: string) => `Bearer realm="api", error="invalid_token", error_description="${d}"`;

describe("requireUser", () => {
  it("sets c.var.user for a valid token", async () => {
    const res = await app().request("/api/me", {
      headers: bearer(signTestToken(fx.key, { claims: claimsFor("alice", fx.clock.seconds) })),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "alice" });
  });

  it("answers a missing token with 401 and the bare challenge", async () => {
    const res = await app().request("/api/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe('{"detail":"Missing bearer token","code":"missing_token"}');
  });

  it("answers an expired token with 401 invalid_token", async () => {
    const token = signTestToken(fx.key, {
      claims: claimsFor("alice", fx.clock.seconds, { exp: fx.clock.seconds - 60 }),
    });
    const res = await app().request("/api/me", { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(INVALID("The token has expired"));
    expect(await res.text()).toBe('{"detail":"The token has expired","code":"token_expired"}');
  });

  it("answers a malformed token with 401 malformed_token", async () => {
    const res = await app().request("/api/me", { headers: { authorization: "Bearer a.b" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(INVALID("The token is malformed"));
    expect(((await res.json()) as { code: string }).code).toBe("malformed_token");
  });

  it("answers an unreachable JWKS with 503 and Retry-After, no challenge", async () => {
    const res = await app("http://127.0.0.1:9/jwks.json").request("/api/me", {
      headers: bearer(signTestToken(fx.key)),
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get("www-authenticate")).toBeNull();
    expect(await res.text()).toBe(
      '{"detail":"The signing keys cannot be fetched right now","code":"jwks_unavailable"}',
    );
  });
});

describe("requireOwner", () => {
  it("answers 403 forbidden for another user's resource", async () => {
    const headers = bearer(signTestToken(fx.key, { claims: claimsFor("alice", fx.clock.seconds) }));
    const res = await app().request("/api/users/bob", { headers });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBeNull();
    expect(await res.text()).toBe('{"detail":"You do not have access to this resource","code":"forbidden"}');
    expect((await app().request("/api/users/alice", { headers })).status).toBe(200);
  });
});

describe("requireRole and requirePermission", () => {
  const tokenWith = (claims: Record<string, unknown>) =>
    bearer(signTestToken(fx.key, { claims: claimsFor("alice", fx.clock.seconds, claims) }));
  const SCOPE = (d: string) => `Bearer realm="api", error="insufficient_scope", error_description="${d}"`;

  it("let a user with any one of the roles through, with roles on the principal", async () => {
    const res = await app().request("/api/admin/stats", { headers: tokenWith({ role: "user,auditor" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ roles: ["user", "auditor"] });
  });

  it("answer a user without the role with 403 insufficient_role and the RFC 6750 challenge", async () => {
    const res = await app().request("/api/admin/stats", { headers: tokenWith({ role: "user" }) });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(SCOPE("This action requires a role you do not have"));
    expect(await res.text()).toBe(
      '{"detail":"This action requires a role you do not have","code":"insufficient_role"}',
    );
  });

  it("check permissions after the role, all of them", async () => {
    const admin = { role: "admin", permissions: ["tasks:read:any"] };
    const res = await app().request("/api/admin/tasks", { method: "DELETE", headers: tokenWith(admin) });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(SCOPE("This action requires a permission you do not have"));
    expect(((await res.json()) as { code: string }).code).toBe("insufficient_permission");
    const both = { role: "admin", permissions: ["tasks:read:any", "tasks:write:any"] };
    const ok = await app().request("/api/admin/tasks", { method: "DELETE", headers: tokenWith(both) });
    expect(await ok.json()).toEqual({ permissions: ["tasks:read:any", "tasks:write:any"] });
    const noRole = await app().request("/api/admin/tasks", {
      method: "DELETE",
      headers: tokenWith({ permissions: both.permissions }),
    });
    expect(((await noRole.json()) as { code: string }).code).toBe("insufficient_role");
  });

  it("authenticate first: a malformed role claim is 401 invalid_claims, no token is 401", async () => {
    const res = await app().request("/api/admin/stats", { headers: tokenWith({ role: ["admin"] }) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_claims");
    expect((await app().request("/api/admin/stats")).status).toBe(401);
  });

  it("fail closed without a user on the context (after optionalUser, no token)", async () => {
    const res = await app().request("/maybe-admin");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect((await app().request("/maybe-admin", { headers: tokenWith({ role: "admin" }) })).status).toBe(200);
  });

  it("never fetch the JWKS of their own: a refused role costs no key lookup", async () => {
    const api = app();
    const headers = tokenWith({ role: "user" });
    expect((await api.request("/api/admin/stats", { headers })).status).toBe(403);
    const fetches = fx.jwks.fetches;
    for (let i = 0; i < 5; i += 1) expect((await api.request("/api/admin/stats", { headers })).status).toBe(403);
    expect(fx.jwks.fetches).toBe(fetches);
  });

  it("refuse to be built without a role or permission", () => {
    expect(() => requireRole()).toThrow(TypeError);
    expect(() => requirePermission()).toThrow(TypeError);
  });
});

describe("optionalUser", () => {
  it("passes a request without a token through", async () => {
    const res = await app().request("/open");
    expect(await res.json()).toEqual({ user: null });
  });

  it("still refuses a bad token", async () => {
    const res = await app().request("/open", { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
  });

  it("sets the user for a valid token", async () => {
    const res = await app().request("/open", {
      headers: bearer(signTestToken(fx.key, { claims: claimsFor("carol", fx.clock.seconds) })),
    });
    expect(await res.json()).toEqual({ user: "carol" });
  });
});

describe("setup mistakes", () => {
  it("throw when the middleware is built", () => {
    expect(() => requireUser(undefined as never)).toThrow(TypeError);
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE })).toThrow(/jwksUrl/);
  });
});

/** @authbridge/verifier/testing: real tokens for a throw-away key, through the real verifier. */
import { createVerifier, verifierFromEnv } from "@authbridge/verifier";
import { requireUser } from "@authbridge/verifier/hono";
import {
  actingAs,
  authHeaders,
  configureEnv,
  generateTestKey,
  makeToken,
  serveJwks,
  TEST_AUDIENCE,
} from "@authbridge/verifier/testing";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";

describe("testing helpers", () => {
  it("configureEnv + makeToken: a token the env-built verifier accepts, any claim overridable", async () => {
    const env: Record<string, string | undefined> = { AUTH_SERVER_URL: "https://real.example.com" };
    configureEnv({ env });
    expect(env.AUTH_SERVER_URL).toBeUndefined();
    expect(env.AUTH_AUDIENCE).toBe(TEST_AUDIENCE);
    const verifier = verifierFromEnv(env);
    expect((await verifier.verify(makeToken("ada"))).id).toBe("ada");
    await expect(verifier.verify(makeToken("ada", { exp: 1 }))).rejects.toMatchObject({ code: "token_expired" });
    await expect(verifier.verify(makeToken("ada", { aud: "other" }))).rejects.toMatchObject({
      code: "invalid_audience",
    });
    const noEmail = await verifier.verify(makeToken("ada", { email: undefined }));
    expect(noEmail.email).toBeNull();
  });

  it("a token from another test key is refused", async () => {
    const env: Record<string, string | undefined> = {};
    configureEnv({ env });
    const verifier = verifierFromEnv(env);
    await expect(verifier.verify(makeToken("ada", {}, { key: generateTestKey() }))).rejects.toMatchObject({
      code: "unknown_key",
    });
  });

  it("serveJwks: a real JWKS endpoint on loopback", async () => {
    const key = generateTestKey();
    const jwks = await serveJwks(key);
    try {
      const verifier = createVerifier({
        jwksUrl: jwks.url,
        revocationUrl: jwks.revocationUrl,
        issuer: "i",
        audience: "a",
      });
      const principal = await verifier.verify(makeToken("bob", { iss: "i", aud: "a" }, { key }));
      expect(principal.id).toBe("bob");
    } finally {
      await jwks.close();
    }
  });

  it("actingAs: a route runs as the given user without a token", async () => {
    const app = new Hono();
    app.use("/open/*", actingAs("carol"));
    app.get("/open/me", (c) => c.json({ id: c.var.user.id }));
    configureEnv({ env: {} });
    app.use(
      "/closed/*",
      requireUser(verifierFromEnv({ AUTH_JWKS: '{"keys":[]}', AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" })),
    );
    app.get("/closed/me", (c) => c.json({ id: c.var.user.id }));
    expect(await (await app.request("/open/me")).json()).toEqual({ id: "carol" });
    expect((await app.request("/closed/me", { headers: authHeaders("carol") })).status).toBe(401);
  });
});

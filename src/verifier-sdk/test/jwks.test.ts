/** The JWKS cache against a real HTTP endpoint: single flight, cooldown, max-age, outages. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AuthError, MAX_JWKS_BYTES } from "@authbridge/verifier";
import { describe, expect, it } from "vitest";
// An internal, tested where it lives.
import { maxAgeOf } from "../src/jwks.js";
import { claimsFor, makeVerifier, newKey, signTestToken, useKeyAndJwks } from "./support.js";

const fx = useKeyAndJwks("each", { freshClock: true });

const longLived = (sub = "user-1") => claimsFor(sub, fx.clock.seconds, { exp: Math.floor(fx.clock.seconds) + 7200 });
const settle = async () => {
  for (let i = 0; i < 50; i += 1) await new Promise((r) => setTimeout(r, 10));
};

describe("single flight", () => {
  it("200 concurrent verifications with an unknown kid cause exactly 1 fetch", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    await verifier.warm();
    expect(fx.jwks.fetches).toBe(1);
    fx.jwks.delayMs = 200;
    const stranger = signTestToken(newKey("nobody"), { claims: longLived() });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => verifier.verify(stranger)));
    expect(results.every((r) => r.status === "rejected" && (r.reason as AuthError).code === "unknown_key")).toBe(true);
    expect(fx.jwks.fetches).toBe(2);
  });

  it("a cold start shares one fetch", async () => {
    fx.jwks.delayMs = 200;
    const verifier = makeVerifier(fx.jwks, fx.clock, { tokenCacheSize: 0 });
    const token = signTestToken(fx.key, { claims: longLived() });
    const results = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)));
    expect(new Set(results.map((r) => r.id))).toEqual(new Set(["user-1"]));
    expect(fx.jwks.fetches).toBe(1);
  });
});

describe("cooldown", () => {
  it("an unknown kid refetches at most once per cooldown", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock, { jwksCooldownSeconds: 30 });
    await verifier.warm();
    const stranger = signTestToken(newKey("nobody"), { claims: longLived() });
    for (let i = 0; i < 3; i += 1) await expect(verifier.verify(stranger)).rejects.toThrow(AuthError);
    expect(fx.jwks.fetches).toBe(2);
    fx.clock.advance(29);
    await expect(verifier.verify(stranger)).rejects.toThrow(AuthError);
    expect(fx.jwks.fetches).toBe(2);
    fx.clock.advance(2);
    await expect(verifier.verify(stranger)).rejects.toThrow(AuthError);
    expect(fx.jwks.fetches).toBe(3);
  });

  it("failed fetches are not retried within the cooldown", async () => {
    fx.jwks.status = 500;
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const token = signTestToken(fx.key, { claims: longLived() });
    for (let i = 0; i < 5; i += 1)
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: "jwks_unavailable" });
    expect(fx.jwks.fetches).toBe(1);
  });
});

describe("rotation", () => {
  it("a new key is picked up without restart, the old one keeps verifying", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    await verifier.verify(signTestToken(fx.key, { claims: longLived() }));
    const successor = newKey("key-2");
    fx.jwks.keys.push(successor);
    expect((await verifier.verify(signTestToken(successor, { claims: longLived("after") }))).id).toBe("after");
    expect((await verifier.verify(signTestToken(fx.key, { claims: longLived("before") }))).id).toBe("before");
  });

  it("a removed key stops verifying, even for a cached token", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const token = signTestToken(fx.key, { claims: longLived() });
    await verifier.verify(token);
    fx.jwks.keys = [newKey("key-2")];
    fx.clock.advance(301);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "unknown_key" });
  });
});

describe("max-age", () => {
  it("is honoured", async () => {
    fx.jwks.cacheControl = "public, max-age=120";
    const verifier = makeVerifier(fx.jwks, fx.clock, { tokenCacheSize: 0 });
    const token = signTestToken(fx.key, { claims: longLived() });
    await verifier.verify(token);
    fx.clock.advance(90);
    await verifier.verify(token);
    await settle();
    expect(fx.jwks.fetches).toBe(1);
    fx.clock.advance(31);
    await verifier.verify(token);
    expect(fx.jwks.fetches).toBe(2);
  });

  it("refreshes ahead of expiry in the background", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock, { tokenCacheSize: 0 });
    const token = signTestToken(fx.key, { claims: longLived() });
    await verifier.verify(token);
    fx.clock.advance(250);
    fx.jwks.delayMs = 1500;
    const started = performance.now();
    await verifier.verify(token);
    // Waiting for the refresh would take the endpoint's 1.5 s; a loaded CI machine still has margin.
    expect(performance.now() - started).toBeLessThan(750);
    for (let i = 0; i < 200 && fx.jwks.fetches < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(fx.jwks.fetches).toBe(2);
  });

  it.each([
    ["public, max-age=120", 120],
    ["max-age=5", 60],
    ["max-age=999999", 86400],
    ["no-cache", undefined],
    [null, undefined],
    ['public, max-age="600"', 600],
  ])("Cache-Control %j gives %s", (header, expected) => {
    expect(maxAgeOf(header)).toBe(expected);
  });

  it("falls back to jwksCacheSeconds without max-age", async () => {
    fx.jwks.cacheControl = undefined;
    const verifier = makeVerifier(fx.jwks, fx.clock, { jwksCacheSeconds: 100, tokenCacheSize: 0 });
    const token = signTestToken(fx.key, { claims: longLived() });
    await verifier.verify(token);
    fx.clock.advance(101);
    await verifier.verify(token);
    expect(fx.jwks.fetches).toBe(2);
  });
});

describe("outage", () => {
  it("cached keys keep working; an unknown kid is jwks_unavailable with Retry-After", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock, { tokenCacheSize: 0 });
    const token = signTestToken(fx.key, { claims: longLived() });
    await verifier.verify(token);
    fx.jwks.status = 503;
    fx.clock.advance(400);
    expect((await verifier.verify(token)).id).toBe("user-1");
    const stranger = signTestToken(newKey("new-kid"), { claims: longLived() });
    const error = (await verifier.verify(stranger).catch((e: unknown) => e)) as AuthError;
    expect(error.code).toBe("jwks_unavailable");
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.retryAfter).toBeLessThanOrEqual(30);
    fx.jwks.status = 200;
    fx.clock.advance(31);
    expect((await verifier.verify(token)).id).toBe("user-1");
  });

  it("after max-stale every token is jwks_unavailable", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock, { jwksMaxStaleSeconds: 600 });
    const token = signTestToken(fx.key, { claims: longLived() });
    await verifier.verify(token);
    fx.jwks.status = 500;
    fx.clock.advance(300 + 599);
    expect((await verifier.verify(token)).id).toBe("user-1");
    fx.clock.advance(2);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "jwks_unavailable" });
  });

  it("a slow endpoint times out as jwks_unavailable", async () => {
    fx.jwks.delayMs = 3000;
    const verifier = makeVerifier(fx.jwks, fx.clock, { jwksTimeoutSeconds: 0.2 });
    const started = performance.now();
    await expect(verifier.verify(signTestToken(fx.key, { claims: longLived() }))).rejects.toMatchObject({
      code: "jwks_unavailable",
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("a key set of foreign keys is unknown_key, not a crash", async () => {
    fx.jwks.keys = [];
    fx.jwks.extraKeys = [
      { kty: "RSA", n: "x", e: "AQAB", kid: "key-1" },
      { kty: "OKP", crv: "Ed25519", x: "!!" },
    ];
    const verifier = makeVerifier(fx.jwks, fx.clock);
    await expect(verifier.verify(signTestToken(fx.key, { claims: longLived() }))).rejects.toMatchObject({
      code: "unknown_key",
    });
  });
});

describe("a huge JWKS", () => {
  /** Streams a body forever (chunked, or with a declared 400 MB) and counts what it sent. */
  async function endless(declareLength: boolean) {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        ...(declareLength ? { "content-length": String(400 * 1024 * 1024) } : {}),
      });
      const chunk = Buffer.alloc(65_536, 0x78);
      const pump = () => {
        while (state.sent < 400 * 1024 * 1024 && !res.destroyed) {
          state.sent += chunk.length;
          if (!res.write(chunk)) return res.once("drain", pump);
        }
      };
      res.on("error", () => {});
      pump();
    });
    const state = { sent: 0, url: "" };
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    return { state, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it.each([
    ["declared 400 MB", true],
    ["chunked, endless", false],
  ])("%s: refused after reading at most the cap", async (_name, declareLength) => {
    const { state, close } = await endless(declareLength);
    try {
      const verifier = makeVerifier(fx.jwks, fx.clock, { jwksUrl: state.url });
      expect(await verifier.warm()).toBe(false);
      expect(verifier.jwks.lastError).toMatch(/larger than/);
      expect(state.sent).toBeLessThan(MAX_JWKS_BYTES + 16 * 1024 * 1024);
      const token = signTestToken(fx.key, { claims: longLived() });
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: "jwks_unavailable" });
    } finally {
      await close();
    }
  });
});

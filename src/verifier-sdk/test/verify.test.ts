/** Every error code of CONTRACT §2 from a realistic token, in the contract's order. */
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { AuthError, createVerifier, parseAuthorization } from "@authbridge/verifier";
import { describe, expect, it } from "vitest";
import {
  AUDIENCE,
  b64json,
  claimsFor,
  DROP,
  ISSUER,
  makeVerifier,
  newKey,
  outcome,
  RFC8037,
  signTestToken,
  useKeyAndJwks,
} from "./support.js";

const fx = useKeyAndJwks("each", { freshClock: true });

const claims = (sub = "user-1", overrides = {}) => claimsFor(sub, fx.clock.seconds, overrides);

describe("a valid token", () => {
  it("gives the principal", async () => {
    const principal = await makeVerifier(fx.jwks, fx.clock).verify(signTestToken(fx.key, { claims: claims("alice") }));
    expect(principal.id).toBe("alice");
    expect(principal.email).toBe("alice@example.test");
    expect(principal.name).toBe("User alice");
    expect(principal.claims.email_verified).toBe(true);
    expect(principal.claims.iss).toBe(ISSUER);
  });

  it("accepts the RFC 9864 alias Ed25519", async () => {
    const token = signTestToken(fx.key, { claims: claims(), alg: "Ed25519" });
    expect((await makeVerifier(fx.jwks, fx.clock).verify(token)).id).toBe("user-1");
  });

  it.each(["JWT", "jwt", "APPLICATION/JWT"])("accepts a user token typed %s", async (typ) => {
    const token = signTestToken(fx.key, { claims: claims(), header: { typ } });
    expect((await makeVerifier(fx.jwks, fx.clock).verify(token)).id).toBe("user-1");
  });

  it.each(["at+jwt", "application/at+jwt", "AT+JWT"])("accepts a client token typed %s", async (typ) => {
    const { email: _e, name: _n, email_verified: _v, sid: _s, ...base } = claims();
    const token = signTestToken(fx.key, {
      claims: { ...base, sub: "client_1", client_id: "client_1", scope: "tasks:read:any" },
      header: { typ },
    });
    const principal = await makeVerifier(fx.jwks, fx.clock).verify(token);
    expect([principal.kind, principal.clientId, principal.scopes]).toEqual(["client", "client_1", ["tasks:read:any"]]);
  });

  it("refuses a user token typed at+jwt (RFC 9068 token confusion)", async () => {
    const token = signTestToken(fx.key, { claims: claims(), header: { typ: "at+jwt" } });
    await expect(makeVerifier(fx.jwks, fx.clock).verify(token)).rejects.toMatchObject({ code: "invalid_claims" });
  });

  it("without kid is accepted when the set holds one key", async () => {
    const token = signTestToken(fx.key, { claims: claims(), kid: undefined });
    expect((await makeVerifier(fx.jwks, fx.clock).verify(token)).id).toBe("user-1");
  });
});

describe("credentials (authenticate)", () => {
  it.each([
    [null, "missing_token"],
    ["", "missing_token"],
    ["Basic dXNlcjpwYXNz", "missing_token"],
    ["Bearer", "missing_token"],
    ["Bearer    ", "missing_token"],
    ["Token abc", "missing_token"],
    ["Bearer a b", "malformed_token"],
    ["Bearer not-a-jwt", "malformed_token"],
  ])("%j is %s", async (header, code) => {
    await expect(makeVerifier(fx.jwks, fx.clock).authenticate(header)).rejects.toMatchObject({ code });
  });

  it("reads a Request and Headers", async () => {
    const token = signTestToken(fx.key, { claims: claims("req") });
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const request = new Request("http://x/", { headers: { authorization: `Bearer ${token}` } });
    expect((await verifier.authenticate(request)).id).toBe("req");
    expect((await verifier.authenticate(request.headers)).id).toBe("req");
  });

  it("takes the scheme case-insensitively and trims", () => {
    expect(parseAuthorization("bEaReR abc.def.ghi")).toBe("abc.def.ghi");
    expect(parseAuthorization("  Bearer   abc.def.ghi  ")).toBe("abc.def.ghi");
  });
});

describe("malformed_token", () => {
  it.each([
    "a.b",
    "a.b.c.d",
    "....",
    "eyJhbGciOiJFZERTQSJ9..sig",
    "!!!.eyJzdWIiOiJ4In0.AAAA",
    "eyJhbGciOiJFZERTQSJ9=.eyJzdWIiOiJ4In0.AAAA",
  ])("for the structure %s", async (token) => {
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("malformed_token");
  });

  it("for non-object header or payload, and non-JSON numbers", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const sig = Buffer.alloc(64).toString("base64url");
    expect(await outcome(verifier, `${b64json([1])}.${b64json({ sub: "x" })}.${sig}`)).toBe("malformed_token");
    expect(await outcome(verifier, `${b64json({ alg: "EdDSA" })}.${b64json("text")}.${sig}`)).toBe("malformed_token");
    const bad = Buffer.from("{nope").toString("base64url");
    expect(await outcome(verifier, `${bad}.${b64json({})}.${sig}`)).toBe("malformed_token");
    const nan = Buffer.from('{"sub":"x","exp":NaN}').toString("base64url");
    expect(await outcome(verifier, `${b64json({ alg: "EdDSA" })}.${nan}.${sig}`)).toBe("malformed_token");
  });

  it("for a non-canonical base64url encoding", async () => {
    const token = signTestToken(fx.key, { claims: claims() });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = alphabet[alphabet.indexOf(token.at(-1) as string) ^ 1];
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token.slice(0, -1) + twin)).toBe("malformed_token");
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("ok");
  });

  it("for a crit header", async () => {
    const token = signTestToken(fx.key, { claims: claims(), header: { crit: ["exp"], exp: 1 } });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("malformed_token");
  });

  it.each(["JOSE", "dpop+jwt", "application/json", 7])("for typ %j", async (typ) => {
    const token = signTestToken(fx.key, { claims: claims(), header: { typ } });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("malformed_token");
  });

  it("for a token over 8192 bytes, before parsing", async () => {
    const token = signTestToken(fx.key, { claims: claims("user-1", { padding: "x".repeat(9000) }) });
    expect(token.length).toBeGreaterThan(8192);
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("malformed_token");
    expect(fx.jwks.fetches).toBe(0);
  });

  it("for a non-string kid", async () => {
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), signTestToken(fx.key, { kid: 12 }))).toBe("malformed_token");
  });
});

describe("unsupported_algorithm", () => {
  it("for an algorithm outside the configured list", async () => {
    const token = signTestToken(fx.key, { claims: claims(), alg: "Ed25519" });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock, { algorithms: ["EdDSA"] }), token)).toBe(
      "unsupported_algorithm",
    );
  });
});

describe("unknown_key", () => {
  it("for a kid not in the set", async () => {
    const token = signTestToken(newKey("not-published"), { claims: claims() });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("unknown_key");
  });

  it("for a token without kid when the set holds two keys", async () => {
    fx.jwks.keys.push(newKey("key-2"));
    const token = signTestToken(fx.key, { claims: claims(), kid: undefined });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("unknown_key");
  });
});

describe("invalid_signature", () => {
  it("for the wrong key under a known kid", async () => {
    const token = signTestToken(newKey(fx.key.kid), { claims: claims() });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("invalid_signature");
  });

  it("for a tampered payload", async () => {
    const [header, , sig] = signTestToken(fx.key, { claims: claims("alice") }).split(".");
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), `${header}.${b64json(claims("mallory"))}.${sig}`)).toBe(
      "invalid_signature",
    );
  });

  it("before any claim is looked at", async () => {
    const token = signTestToken(newKey("key-1"), { claims: claims("x", { exp: 1 }) });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("invalid_signature");
  });
});

describe("jwks_unavailable", () => {
  it("when nothing is cached and the JWKS fails, with Retry-After", async () => {
    fx.jwks.status = 500;
    const error = await makeVerifier(fx.jwks, fx.clock)
      .verify(signTestToken(fx.key))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("jwks_unavailable");
    expect((error as AuthError).retryAfter).toBeGreaterThanOrEqual(1);
    expect((error as AuthError).status).toBe(503);
  });
});

describe("invalid_claims", () => {
  it("without sub", async () => {
    const token = signTestToken(fx.key, { claims: claimsFor(DROP, fx.clock.seconds) });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("invalid_claims");
  });
});

describe("static key set", () => {
  it("verifies without any fetch", async () => {
    const verifier = createVerifier({ jwks: { keys: [fx.key.jwk] }, issuer: ISSUER, audience: AUDIENCE });
    expect((await verifier.verify(signTestToken(fx.key, { claims: claimsFor("static") }))).id).toBe("static");
  });
});

describe("RFC 8037 Appendix A", () => {
  it("the A.1 key verifies the A.4 signature; as a JWT the JWS is malformed", async () => {
    const [header, payload, signature] = RFC8037.jws.split(".") as [string, string, string];
    const { d: _d, ...publicJwk } = RFC8037.privateJwk;
    const publicKey = createPublicKey({ key: publicJwk, format: "jwk" });
    const input = Buffer.from(`${header}.${payload}`);
    const sig = Buffer.from(signature, "base64url");
    expect(cryptoVerify(null, input, publicKey, sig)).toBe(true);
    expect(cryptoVerify(null, Buffer.from(`${header}.${payload}x`), publicKey, sig)).toBe(false);
    expect(publicKey.export({ format: "jwk" }).x).toBe(RFC8037.privateJwk.x);
    const verifier = createVerifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE });
    expect(await outcome(verifier, RFC8037.jws)).toBe("malformed_token");
  });
});

/** Known attacks on JWT verifiers: every one is refused with the contract's code. */
import { createPublicKey } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  b64json,
  claimsFor,
  FakeClock,
  hs256,
  JwksServer,
  makeVerifier,
  newKey,
  outcome,
  signTestToken,
  type TestKey,
} from "./support.js";

let key: TestKey;
let jwks: JwksServer;
const clock = new FakeClock();
beforeEach(async () => {
  key = newKey("key-1");
  jwks = await new JwksServer([key]).start();
});
afterEach(async () => jwks.close());

const verifier = () => makeVerifier(jwks, clock);
const claims = () => claimsFor("user-1", clock.seconds);

describe("alg none", () => {
  it.each(["none", "None", "NONE", "nOnE"])("%s is unsupported_algorithm", async (alg) => {
    const token = `${b64json({ alg, kid: key.kid })}.${b64json(claims())}.`;
    expect(await outcome(verifier(), token)).toBe("unsupported_algorithm");
  });
});

describe("HS256 signed with the public key as the secret", () => {
  it.each([
    ["raw x", () => Buffer.from(key.x, "base64url")],
    ["JWK JSON", () => JSON.stringify(key.jwk)],
    ["PEM", () => createPublicKey(key.privateKey).export({ type: "spki", format: "pem" })],
  ])("%s is unsupported_algorithm", async (_name, secret) => {
    const token = hs256(secret(), { alg: "HS256", kid: key.kid }, claims());
    expect(await outcome(verifier(), token)).toBe("unsupported_algorithm");
  });
});

describe("other algorithms", () => {
  it.each(["HS256", "HS512", "RS256", "ES256", "PS256", "ES256K", ""])("%j is unsupported_algorithm", async (alg) => {
    expect(await outcome(verifier(), signTestToken(key, { claims: claims(), alg }))).toBe("unsupported_algorithm");
  });
});

describe("embedded keys", () => {
  it("a jwk header with the attacker's key is never used", async () => {
    const attacker = newKey(key.kid);
    expect(
      await outcome(verifier(), signTestToken(attacker, { claims: claims(), header: { jwk: attacker.jwk } })),
    ).toBe("invalid_signature");
    const noKid = signTestToken(attacker, { claims: claims(), kid: undefined, header: { jwk: attacker.jwk } });
    expect(await outcome(verifier(), noKid)).toBe("invalid_signature");
  });

  it("jku and x5u pointing at an attacker server are never fetched", async () => {
    const attacker = newKey("attacker-kid");
    const evil = await new JwksServer([attacker]).start();
    try {
      const forged = signTestToken(attacker, { claims: claims(), header: { jku: evil.url, x5u: evil.url } });
      expect(await outcome(verifier(), forged)).toBe("unknown_key");
      const sameKid = signTestToken(newKey(key.kid), { claims: claims(), header: { jku: evil.url } });
      expect(await outcome(verifier(), sameKid)).toBe("invalid_signature");
      expect(evil.fetches).toBe(0);
    } finally {
      await evil.close();
    }
  });
});

describe("kid injection", () => {
  it.each(["../../../../etc/passwd", "key-1/../key-1", "key-1\u0000", "' OR 1=1 --", "__proto__", "constructor"])(
    "%j is unknown_key",
    async (kid) => {
      expect(await outcome(verifier(), signTestToken(key, { claims: claims(), kid }))).toBe("unknown_key");
      expect(jwks.fetches).toBeLessThanOrEqual(2);
    },
  );
});

describe("signatures", () => {
  it.each([
    ["null", Buffer.alloc(0)],
    ["zero", Buffer.alloc(64)],
    ["one byte", Buffer.alloc(1)],
    ["all ones", Buffer.alloc(64, 0xff)],
  ])("a %s signature is invalid_signature", async (_name, signature) => {
    expect(await outcome(verifier(), signTestToken(key, { claims: claims(), signature }))).toBe("invalid_signature");
  });

  it("a truncated signature is invalid_signature", async () => {
    const [header, payload, signature] = signTestToken(key, { claims: claims() }).split(".") as [
      string,
      string,
      string,
    ];
    const real = Buffer.from(signature, "base64url");
    expect(await outcome(verifier(), `${header}.${payload}.${real.subarray(0, 63).toString("base64url")}`)).toBe(
      "invalid_signature",
    );
    expect(await outcome(verifier(), `${header}.${payload}.${signature.slice(0, -2)}`)).toBe("invalid_signature");
  });

  it("a token larger than 8 KB is malformed_token", async () => {
    const token = signTestToken(key, { claims: { ...claims(), blob: "A".repeat(8200) } });
    expect(await outcome(verifier(), token)).toBe("malformed_token");
  });
});

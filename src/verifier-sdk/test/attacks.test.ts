/** Known attacks on JWT verifiers: every one is refused with the contract's code. */
import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  b64json,
  claimsFor,
  hs256,
  makeVerifier,
  newKey,
  outcome,
  signTestToken,
  startJwksServer,
  useKeyAndJwks,
} from "./support.js";

const fx = useKeyAndJwks("each");

const verifier = () => makeVerifier(fx.jwks, fx.clock);
const claims = () => claimsFor("user-1", fx.clock.seconds);

describe("alg none", () => {
  it.each(["none", "None", "NONE", "nOnE"])("%s is unsupported_algorithm", async (alg) => {
    const token = `${b64json({ alg, kid: fx.key.kid })}.${b64json(claims())}.`;
    expect(await outcome(verifier(), token)).toBe("unsupported_algorithm");
  });
});

describe("HS256 signed with the public key as the secret", () => {
  it.each([
    ["raw x", () => Buffer.from(fx.key.jwk.x, "base64url")],
    ["JWK JSON", () => JSON.stringify(fx.key.jwk)],
    ["PEM", () => createPublicKey(fx.key.privateKey).export({ type: "spki", format: "pem" })],
  ])("%s is unsupported_algorithm", async (_name, secret) => {
    const token = hs256(secret(), { alg: "HS256", kid: fx.key.kid }, claims());
    expect(await outcome(verifier(), token)).toBe("unsupported_algorithm");
  });
});

describe("other algorithms", () => {
  it.each(["HS256", "HS512", "RS256", "ES256", "PS256", "ES256K", ""])("%j is unsupported_algorithm", async (alg) => {
    expect(await outcome(verifier(), signTestToken(fx.key, { claims: claims(), alg }))).toBe("unsupported_algorithm");
  });
});

describe("embedded keys", () => {
  it("a jwk header with the attacker's key is never used", async () => {
    const attacker = newKey(fx.key.kid);
    expect(
      await outcome(verifier(), signTestToken(attacker, { claims: claims(), header: { jwk: attacker.jwk } })),
    ).toBe("invalid_signature");
    const noKid = signTestToken(attacker, { claims: claims(), kid: undefined, header: { jwk: attacker.jwk } });
    expect(await outcome(verifier(), noKid)).toBe("invalid_signature");
  });

  it("jku and x5u pointing at an attacker server are never fetched", async () => {
    const attacker = newKey("attacker-kid");
    const evil = await startJwksServer([attacker]);
    try {
      const forged = signTestToken(attacker, { claims: claims(), header: { jku: evil.url, x5u: evil.url } });
      expect(await outcome(verifier(), forged)).toBe("unknown_key");
      const sameKid = signTestToken(newKey(fx.key.kid), { claims: claims(), header: { jku: evil.url } });
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
      expect(await outcome(verifier(), signTestToken(fx.key, { claims: claims(), kid }))).toBe("unknown_key");
      expect(fx.jwks.fetches).toBeLessThanOrEqual(2);
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
    expect(await outcome(verifier(), signTestToken(fx.key, { claims: claims(), signature }))).toBe("invalid_signature");
  });

  it("a truncated signature is invalid_signature", async () => {
    const [header, payload, signature] = signTestToken(fx.key, { claims: claims() }).split(".") as [
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
    const token = signTestToken(fx.key, { claims: { ...claims(), blob: "A".repeat(8200) } });
    expect(await outcome(verifier(), token)).toBe("malformed_token");
  });
});

/** Valid signatures, bad claims: each claim rule of CONTRACT §2.6 and its leeway edges. */
import { describe, expect, it } from "vitest";
import { AUDIENCE, claimsFor, DROP, makeVerifier, outcome, signTestToken, useKeyAndJwks } from "./support.js";

const fx = useKeyAndJwks("all");

const check = (overrides: Record<string, unknown>, options = {}) =>
  outcome(
    makeVerifier(fx.jwks, fx.clock, options),
    signTestToken(fx.key, { claims: claimsFor("user-1", fx.clock.seconds, overrides) }),
  );

describe("exp", () => {
  it.each([
    [-10, "token_expired"],
    [-5, "token_expired"],
    [-4, "ok"],
    [0, "ok"],
    [60, "ok"],
  ])("now %+d s with 5 s leeway → %s", async (offset, expected) => {
    expect(await check({ exp: fx.clock.seconds + offset })).toBe(expected);
  });
});

describe.each(["nbf", "iat"])("%s in the future", (claim) => {
  it.each([
    [60, "token_not_yet_valid"],
    [6, "token_not_yet_valid"],
    [5, "ok"],
  ])("now %+d s → %s", async (offset, expected) => {
    expect(await check({ [claim]: fx.clock.seconds + offset })).toBe(expected);
  });
});

describe("claim rules", () => {
  it.each([
    [{ exp: DROP }, "invalid_claims"],
    [{ exp: "1900000000" }, "invalid_claims"],
    [{ exp: true }, "invalid_claims"],
    [{ nbf: "soon" }, "invalid_claims"],
    [{ iss: "https://evil.test" }, "invalid_issuer"],
    [{ iss: DROP }, "invalid_issuer"],
    [{ iss: "https://auth.authbridge.test/" }, "invalid_issuer"],
    [{ aud: "someone-else" }, "invalid_audience"],
    [{ aud: DROP }, "invalid_audience"],
    [{ aud: ["a", "b"] }, "invalid_audience"],
    [{ aud: ["other", AUDIENCE] }, "ok"],
    [{ aud: 5 }, "invalid_audience"],
    [{ sub: "" }, "invalid_claims"],
    [{ sub: 42 }, "invalid_claims"],
    [{ email: 7 }, "invalid_claims"],
    [{ email_verified: "yes" }, "invalid_claims"],
    [{ exp: 1.0e10 }, "ok"],
  ])("%j → %s", async (overrides, expected) => {
    expect(await check(overrides)).toBe(expected);
  });

  it("without sub → invalid_claims", async () => {
    const token = signTestToken(fx.key, { claims: claimsFor(DROP, fx.clock.seconds) });
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), token)).toBe("invalid_claims");
  });

  it("expiry is decided before the issuer", async () => {
    expect(await check({ exp: 1, iss: "x" })).toBe("token_expired");
  });

  it("any configured audience matches", async () => {
    expect(await check({ aud: "second" }, { audience: "first, second" })).toBe("ok");
  });
});

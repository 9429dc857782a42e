/** Property: any mutation of a valid token is refused with an AuthError, never another error. */
import { createVerifier } from "@authbridge/verifier";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIENCE, claimsFor, ISSUER, newKey, signTestToken, outcome as verify } from "./support.js";

const key = newKey("fuzz-key");
const valid = signTestToken(key, { claims: claimsFor("fuzz", Date.now() / 1000, { exp: 4_000_000_000 }) });
const verifier = createVerifier({ jwks: { keys: [key.jwk] }, issuer: ISSUER, audience: AUDIENCE, tokenCacheSize: 0 });
const ALPHABET = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é\u0000"];

const outcome = (token: string) => verify(verifier, token);

const mutation = fc.record({
  kind: fc.constantFrom("replace", "insert", "delete"),
  position: fc.nat(valid.length - 1),
  char: fc.constantFrom(...ALPHABET),
});

describe("mutated tokens", () => {
  it("the unmutated token is valid", async () => {
    expect(await outcome(valid)).toBe("ok");
  });

  it("are always rejected with an AuthError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const chars = [...valid];
        for (const { kind, position, char } of mutations) {
          const at = Math.min(position, Math.max(0, chars.length - 1));
          if (kind === "delete") chars.splice(at, 1);
          else if (kind === "insert") chars.splice(at, 0, char);
          else chars[at] = char;
        }
        const token = chars.join("");
        if (token === valid) return;
        expect(await outcome(token)).not.toBe("ok");
      }),
      { numRuns: 500 },
    );
  });

  it("arbitrary strings are rejected with an AuthError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        expect(await outcome(text)).not.toBe("ok");
      }),
      { numRuns: 300 },
    );
  });
});

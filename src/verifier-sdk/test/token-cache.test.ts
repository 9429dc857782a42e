/** The verified-token cache: hits skip the signature but never outlive exp, leeway or the key. */
import { describe, expect, it, vi } from "vitest";
import { claimsFor, makeVerifier, newKey, signTestToken, useKeyAndJwks } from "./support.js";

const fx = useKeyAndJwks("each", { freshClock: true });

describe("token cache", () => {
  it("serves a repeated token without checking the signature again", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const token = signTestToken(fx.key, { claims: claimsFor("alice", fx.clock.seconds) });
    const first = await verifier.verify(token);
    const keyObject = verifier.jwks.peek("key-1");
    expect(keyObject).toBeDefined();
    const spy = vi.spyOn(keyObject as NonNullable<typeof keyObject>, "verify");
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(spy).not.toHaveBeenCalled();
  });

  it("drops a cached token once it expires, with the same leeway", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const token = signTestToken(fx.key, {
      claims: claimsFor("alice", fx.clock.seconds, { exp: fx.clock.seconds + 60 }),
    });
    await verifier.verify(token);
    fx.clock.advance(64);
    expect((await verifier.verify(token)).id).toBe("alice");
    fx.clock.advance(1);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "token_expired" });
  });

  it("drops a cached token when its key is replaced under the same kid", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const token = signTestToken(fx.key, {
      claims: claimsFor("alice", fx.clock.seconds, { exp: fx.clock.seconds + 3600 }),
    });
    await verifier.verify(token);
    fx.jwks.keys = [newKey("key-1")];
    fx.clock.advance(301);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "invalid_signature" });
  });

  it("never caches a failure", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const future = signTestToken(fx.key, {
      claims: claimsFor("alice", fx.clock.seconds, { nbf: fx.clock.seconds + 60 }),
    });
    await expect(verifier.verify(future)).rejects.toMatchObject({ code: "token_not_yet_valid" });
    fx.clock.advance(60);
    expect((await verifier.verify(future)).id).toBe("alice");
  });

  it("is bounded: the least recently used token is evicted", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock, { tokenCacheSize: 2 });
    const tokens = ["a", "b", "c"].map((sub) => signTestToken(fx.key, { claims: claimsFor(sub, fx.clock.seconds) }));
    for (const token of tokens) await verifier.verify(token);
    const keyObject = verifier.jwks.peek("key-1") as NonNullable<ReturnType<typeof verifier.jwks.peek>>;
    const spy = vi.spyOn(keyObject, "verify");
    await verifier.verify(tokens[2] as string);
    await verifier.verify(tokens[1] as string);
    expect(spy).not.toHaveBeenCalled();
    await verifier.verify(tokens[0] as string);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("gives a recently used token a second chance over an untouched one", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock, { tokenCacheSize: 2 });
    const [a, b, c] = ["a", "b", "c"].map((sub) => signTestToken(fx.key, { claims: claimsFor(sub, fx.clock.seconds) }));
    await verifier.verify(a as string);
    await verifier.verify(b as string);
    await verifier.verify(a as string); // a hit: a is used, b is not
    await verifier.verify(c as string); // full: b goes, a stays
    const keyObject = verifier.jwks.peek("key-1") as NonNullable<ReturnType<typeof verifier.jwks.peek>>;
    const spy = vi.spyOn(keyObject, "verify");
    await verifier.verify(a as string);
    expect(spy).not.toHaveBeenCalled();
    await verifier.verify(b as string);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("hands out a principal no handler can change, deep down", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const claims = claimsFor("alice", fx.clock.seconds, { roles: ["user"], org: { id: "o1" } });
    const token = signTestToken(fx.key, { claims });
    const first = await verifier.verify(token);
    const c = first.claims as Record<string, unknown> & { roles: string[]; org: { id: string } };
    expect(() => {
      c.sub = "mallory";
    }).toThrow(TypeError);
    expect(() => c.roles.push("admin")).toThrow(TypeError);
    expect(() => {
      c.org.id = "o2";
    }).toThrow(TypeError);
    const second = await verifier.verify(token);
    expect(second.claims).toMatchObject({ sub: "alice", roles: ["user"], org: { id: "o1" } });
  });

  it("reads emailVerified as stock Better Auth writes it", async () => {
    const verifier = makeVerifier(fx.jwks, fx.clock);
    const claims = claimsFor("alice", fx.clock.seconds, { email_verified: undefined, emailVerified: false });
    delete claims.email_verified;
    const principal = await verifier.verify(signTestToken(fx.key, { claims }));
    expect(principal.emailVerified).toBe(false);
  });
});

/** The verified-token cache: hits skip the signature but never outlive exp, leeway or the key. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimsFor, FakeClock, JwksServer, makeVerifier, newKey, signTestToken, type TestKey } from "./support.js";

let key: TestKey;
let jwks: JwksServer;
let clock: FakeClock;
beforeEach(async () => {
  key = newKey("key-1");
  jwks = await new JwksServer([key]).start();
  clock = new FakeClock();
});
afterEach(async () => jwks.close());

describe("token cache", () => {
  it("serves a repeated token without checking the signature again", async () => {
    const verifier = makeVerifier(jwks, clock);
    const token = signTestToken(key, { claims: claimsFor("alice", clock.seconds) });
    const first = await verifier.verify(token);
    const keyObject = verifier.jwks.peek("key-1");
    expect(keyObject).toBeDefined();
    const spy = vi.spyOn(keyObject as NonNullable<typeof keyObject>, "verify");
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(spy).not.toHaveBeenCalled();
  });

  it("drops a cached token once it expires, with the same leeway", async () => {
    const verifier = makeVerifier(jwks, clock);
    const token = signTestToken(key, { claims: claimsFor("alice", clock.seconds, { exp: clock.seconds + 60 }) });
    await verifier.verify(token);
    clock.advance(64);
    expect((await verifier.verify(token)).id).toBe("alice");
    clock.advance(1);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "token_expired" });
  });

  it("drops a cached token when its key is replaced under the same kid", async () => {
    const verifier = makeVerifier(jwks, clock);
    const token = signTestToken(key, { claims: claimsFor("alice", clock.seconds, { exp: clock.seconds + 3600 }) });
    await verifier.verify(token);
    jwks.keys = [newKey("key-1")];
    clock.advance(301);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "invalid_signature" });
  });

  it("never caches a failure", async () => {
    const verifier = makeVerifier(jwks, clock);
    const future = signTestToken(key, { claims: claimsFor("alice", clock.seconds, { nbf: clock.seconds + 60 }) });
    await expect(verifier.verify(future)).rejects.toMatchObject({ code: "token_not_yet_valid" });
    clock.advance(60);
    expect((await verifier.verify(future)).id).toBe("alice");
  });

  it("is bounded: the least recently used token is evicted", async () => {
    const verifier = makeVerifier(jwks, clock, { tokenCacheSize: 2 });
    const tokens = ["a", "b", "c"].map((sub) => signTestToken(key, { claims: claimsFor(sub, clock.seconds) }));
    for (const token of tokens) await verifier.verify(token);
    const keyObject = verifier.jwks.peek("key-1") as NonNullable<ReturnType<typeof verifier.jwks.peek>>;
    const spy = vi.spyOn(keyObject, "verify");
    await verifier.verify(tokens[2] as string);
    await verifier.verify(tokens[1] as string);
    expect(spy).not.toHaveBeenCalled();
    await verifier.verify(tokens[0] as string);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

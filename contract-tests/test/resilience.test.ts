/**
 * Across languages: a key rotated mid-run is picked up by both backends without restart while
 * old tokens keep working; with the auth server down, cached keys keep working on both, a token
 * with a new kid is 503 + Retry-After on both, and both recover when it is back; a revoked key is
 * dropped by both on their next refresh, and stays dropped through a JWKS outage after it.
 */
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { fetchJwt } from "../src/auth.js";
import { observe, parity, problems } from "../src/matrix.js";
import { useStack } from "../src/stack.js";

const { stack, user } = useStack("resilience");

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function meOnBoth(jwt: string) {
  const answers = await Promise.all(stack.backends.list.map((b) => observe(b.url, "GET", "/api/me", bearer(jwt))));
  expect(parity(answers[0] as never, answers[1] as never)).toEqual([]);
  return answers;
}

describe("key rotation mid-run", () => {
  it("both backends accept new-kid tokens without restart; old tokens keep working", async () => {
    const before = user.jwt;
    expect((await meOnBoth(before)).map((a) => a.status)).toEqual([200, 200]);
    const newKid = await stack.auth.rotate();
    const after = await fetchJwt(stack.auth.url, user.sessionToken);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    // The unknown-kid refetch is limited to one per cooldown (1 s in this harness).
    await pause(1100);
    const answers = await meOnBoth(after);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => (a.body as { id: string }).id)).toEqual([user.id, user.id]);
    expect((await meOnBoth(before)).map((a) => a.status)).toEqual([200, 200]);
  });
});

describe("JWKS outage", () => {
  it("cached keys keep working, a new kid is 503 with Retry-After, and both recover", async () => {
    const known = await fetchJwt(stack.auth.url, user.sessionToken);
    expect((await meOnBoth(known)).map((a) => a.status)).toEqual([200, 200]);

    await stack.auth.stopListening();
    try {
      expect((await meOnBoth(known)).map((a) => a.status)).toEqual([200, 200]);
      // A key minted while the JWKS is unreachable: no backend can see it yet.
      await stack.auth.rotate();
      const now = Math.floor(Date.now() / 1000);
      const fresh = await stack.auth.sign({
        sub: user.id,
        email: user.email,
        name: user.name,
        email_verified: false,
        iat: now,
      });
      await pause(1100);
      const answers = await meOnBoth(fresh);
      const report = answers.flatMap((a, i) =>
        problems(a, { status: 503, code: "jwks_unavailable" }).map((p) => `${stack.backends.list[i]?.name}: ${p}`),
      );
      expect(report, report.join("\n")).toEqual([]);
      expect((await meOnBoth(known)).map((a) => a.status)).toEqual([200, 200]);

      await stack.auth.startListening();
      await pause(1100);
      const recovered = await meOnBoth(fresh);
      expect(recovered.map((a) => a.status)).toEqual([200, 200]);
    } finally {
      await stack.auth.startListening().catch(() => {});
    }
  });
});

describe("key revocation", () => {
  it("both drop a revoked key on their next refresh, and an outage afterwards does not bring it back", async () => {
    const revoked = await fetchJwt(stack.auth.url, user.sessionToken);
    expect((await meOnBoth(revoked)).map((a) => a.status)).toEqual([200, 200]);
    await stack.auth.revoke(decodeProtectedHeader(revoked).kid as string);
    const fresh = await fetchJwt(stack.auth.url, user.sessionToken);
    expect(decodeProtectedHeader(fresh).kid).not.toBe(decodeProtectedHeader(revoked).kid);
    // The fresh token's unknown kid makes each verifier refetch the set, which no longer lists the old key.
    await pause(1100);
    expect((await meOnBoth(fresh)).map((a) => a.status)).toEqual([200, 200]);
    const dropped = await meOnBoth(revoked);
    const report = dropped.flatMap((a, i) =>
      problems(a, { status: 401, code: "unknown_key" }).map((p) => `${stack.backends.list[i]?.name}: ${p}`),
    );
    expect(report, report.join("\n")).toEqual([]);

    await stack.auth.stopListening();
    try {
      await pause(1100);
      // Served stale while the JWKS is down: the last good set, without the revoked key.
      expect((await meOnBoth(fresh)).map((a) => a.status)).toEqual([200, 200]);
      expect((await meOnBoth(revoked)).map((a) => a.status).every((status) => status === 401 || status === 503)).toBe(
        true,
      );
    } finally {
      await stack.auth.startListening();
    }
  });
});

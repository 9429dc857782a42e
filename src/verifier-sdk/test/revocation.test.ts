/**
 * The revocation feed (CONTRACT §8) against a real HTTP endpoint (`serveJwks`'s feed): a listed
 * session or client is `token_revoked`, on cache hits too; the list is polled, single flight,
 * revalidated with its ETag, bounded; an outage keeps the last list for a bounded time, then only
 * tokens issued within that time pass. python-backend's test_revocation.py is the same list.
 */
import { createVerifier, MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES } from "@authbridge/verifier";
import { describe, expect, it, vi } from "vitest";
import { claimsFor, makeVerifier, outcome, signTestToken, useKeyAndJwks } from "./support.js";

const fx = useKeyAndJwks("each", { freshClock: true });

const feedVerifier = (overrides = {}) =>
  makeVerifier(fx.jwks, fx.clock, { revocationUrl: fx.jwks.revocationUrl, ...overrides });
/** A user token of `session`, issued `age` seconds ago. */
const userToken = (session: string, age = 0) =>
  signTestToken(fx.key, {
    claims: claimsFor("user-1", fx.clock.seconds - age, { sid: session, exp: Math.floor(fx.clock.seconds) + 3600 }),
  });
const clientToken = (clientId: string) => {
  const { email: _e, name: _n, email_verified: _v, sid: _s, ...base } = claimsFor(clientId, fx.clock.seconds);
  return signTestToken(fx.key, {
    claims: { ...base, client_id: clientId, scope: "tasks:read:any" },
    header: { typ: "at+jwt" },
  });
};
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await new Promise((r) => setTimeout(r, 10));
};

describe("what the list refuses", () => {
  it("a listed session's token is token_revoked; another session's passes", async () => {
    fx.jwks.revokedSessions.push("ended");
    const verifier = feedVerifier();
    expect(await outcome(verifier, userToken("ended"))).toBe("token_revoked");
    expect(await outcome(verifier, userToken("live"))).toBe("ok");
  });

  it("a revoked client's token is token_revoked; a session id equal to it is no client", async () => {
    fx.jwks.revokedClients.push("client_gone");
    const verifier = feedVerifier();
    expect(await outcome(verifier, clientToken("client_gone"))).toBe("token_revoked");
    expect(await outcome(verifier, clientToken("client_live"))).toBe("ok");
    expect(await outcome(verifier, userToken("client_gone"))).toBe("ok");
  });

  it("not_before refuses every token issued before it", async () => {
    fx.jwks.notBefore = Math.floor(fx.clock.seconds) - 60;
    const verifier = feedVerifier();
    expect(await outcome(verifier, userToken("old", 120))).toBe("token_revoked");
    expect(await outcome(verifier, userToken("new", 30))).toBe("ok");
  });

  it("a user token without sid is invalid_claims with the feed on, and passes with it off", async () => {
    const token = signTestToken(fx.key, { claims: claimsFor("user-1", fx.clock.seconds, { sid: undefined }) });
    const bare = signTestToken(fx.key, {
      claims: Object.fromEntries(Object.entries(claimsFor("user-1", fx.clock.seconds)).filter(([k]) => k !== "sid")),
    });
    expect(await outcome(feedVerifier(), bare)).toBe("invalid_claims");
    expect(await outcome(makeVerifier(fx.jwks, fx.clock), bare)).toBe("ok");
    expect(await outcome(feedVerifier(), token)).toBe("invalid_claims");
  });

  it("a static list stands in for the feed", async () => {
    const verifier = createVerifier({
      jwks: { keys: [fx.key.jwk] },
      issuer: "https://auth.authbridge.test",
      audience: "task-api",
      now: fx.clock.now,
      revocationList: { sessions: ["ended"] },
    });
    expect(await outcome(verifier, userToken("ended"))).toBe("token_revoked");
    expect(await outcome(verifier, userToken("live"))).toBe("ok");
    expect(fx.jwks.revocationFetches).toBe(0);
  });
});

describe("following the feed", () => {
  it("a cached token is refused once its session is listed, after the next poll", async () => {
    const verifier = feedVerifier();
    const token = userToken("s1");
    expect(await outcome(verifier, token)).toBe("ok");
    fx.jwks.revokedSessions.push("s1");
    fx.clock.advance(3);
    expect(await outcome(verifier, token)).toBe("ok"); // the list is 3 s old: fresh
    fx.clock.advance(2.5);
    expect(await outcome(verifier, token)).toBe("token_revoked");
  });

  it("polls once per interval, revalidating with the ETag (a 304 keeps the list)", async () => {
    const verifier = feedVerifier();
    await verifier.warm();
    expect(fx.jwks.revocationFetches).toBe(1);
    for (let i = 0; i < 20; i += 1) await verifier.verify(userToken(`s${i}`));
    expect(fx.jwks.revocationFetches).toBe(1);
    fx.clock.advance(6);
    expect(await outcome(verifier, userToken("x"))).toBe("ok");
    expect(fx.jwks.revocationFetches).toBe(2);
    expect(verifier.revocations?.lastError).toBeUndefined();
  });

  it("refreshes ahead in the background: a request near the end of the interval does not wait", async () => {
    const verifier = feedVerifier();
    await verifier.warm();
    fx.jwks.delayMs = 300;
    fx.clock.advance(4.5);
    const started = performance.now();
    expect(await outcome(verifier, userToken("s"))).toBe("ok");
    expect(performance.now() - started).toBeLessThan(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(fx.jwks.revocationFetches).toBe(2);
  });

  it("shares one fetch among concurrent requests", async () => {
    const verifier = feedVerifier({ tokenCacheSize: 0 });
    fx.jwks.delayMs = 100;
    const token = userToken("s");
    const results = await Promise.all(Array.from({ length: 100 }, () => outcome(verifier, token)));
    expect(new Set(results)).toEqual(new Set(["ok"]));
    expect(fx.jwks.revocationFetches).toBe(1);
  });

  it("refuses a list over MAX_REVOCATION_ENTRIES whole, and one over MAX_REVOCATION_BYTES unread", async () => {
    const warn = vi.fn();
    const logger = { warn, info: () => {} };
    fx.jwks.revokedSessions.push(...Array.from({ length: MAX_REVOCATION_ENTRIES + 1 }, (_, i) => `s${i}`));
    const tooMany = feedVerifier({ logger });
    expect(await tooMany.revocations?.warm()).toBe(false);
    expect(tooMany.revocations?.lastError).toContain(`more than ${MAX_REVOCATION_ENTRIES} entries`);
    fx.jwks.revokedSessions.splice(0);
    fx.jwks.revokedSessions.push(...Array.from({ length: 5000 }, (_, i) => `${"x".repeat(250)}${i}`));
    const tooBig = feedVerifier({ logger });
    expect(await tooBig.revocations?.warm()).toBe(false);
    expect(tooBig.revocations?.lastError).toContain(`larger than ${MAX_REVOCATION_BYTES} bytes`);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe("when the feed is unreachable", () => {
  it("the last list serves for revocationMaxStaleSeconds; then only tokens issued within it pass", async () => {
    const warn = vi.fn();
    const info = vi.fn();
    fx.jwks.revokedSessions.push("ended");
    const verifier = feedVerifier({ revocationMaxStaleSeconds: 60, logger: { warn, info } });
    await verifier.warm();
    const old = userToken("live", 600);
    fx.jwks.revocationStatus = 503;
    fx.clock.advance(30);
    expect(await outcome(verifier, old)).toBe("ok");
    expect(await outcome(verifier, userToken("ended"))).toBe("token_revoked");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain(`GET ${fx.jwks.revocationUrl}: answered 503`);

    fx.clock.advance(40); // 70 s since the last good list: past 5 + 60
    expect(await outcome(verifier, old)).toBe("token_revoked");
    expect(await outcome(verifier, userToken("live", 30))).toBe("ok");
    // What the last list named stays refused, however young the token.
    expect(await outcome(verifier, userToken("ended", 1))).toBe("token_revoked");
    expect(warn).toHaveBeenCalledTimes(1);

    fx.jwks.revocationStatus = 200;
    fx.clock.advance(6);
    expect(await outcome(verifier, old)).toBe("ok");
    expect(info).toHaveBeenCalledWith(`authbridge: the revocation feed answers again (GET ${fx.jwks.revocationUrl})`);
  });

  it("before any list, only tokens issued within revocationMaxStaleSeconds pass", async () => {
    fx.jwks.revocationStatus = 500;
    const verifier = feedVerifier({ revocationMaxStaleSeconds: 60, logger: { warn: () => {}, info: () => {} } });
    expect(await outcome(verifier, userToken("s", 120))).toBe("token_revoked");
    expect(await outcome(verifier, userToken("s", 10))).toBe("ok");
    await settle();
    // Failures are retried once per poll interval, not per request.
    expect(fx.jwks.revocationFetches).toBe(1);
  });
});

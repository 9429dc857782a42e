/**
 * Session-bound tokens and the revocation feed (CONTRACT §8) on the real auth server: every user
 * token names its session (`sid`, a keyed hash, never the session token), every way Better Auth
 * ends a session lists that `sid`, a revoked client is listed by its id, and the feed is cheap
 * to poll (ETag, 304, max-age), bounded (folding into `not_before`) and forgets what no live
 * token can carry.
 */
import {
  endSession,
  fetchJwt,
  type MailCatcher,
  newUser,
  type RunningAuthServer,
  readRevocations,
  SESSION_ENDINGS,
  signInAgain,
  signUp,
  startAuthServer,
  startMailCatcher,
} from "@authbridge/harness";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT } from "../../../contract-tests/src/contract.js";
import { contextOf } from "../src/auth.js";
import { revokeClient } from "../src/clients/store.js";
import {
  buildFeed,
  MAX_FEED_ENTRIES,
  MAX_LEEWAY_SECONDS,
  purgeRevocations,
  REBUILD_MS,
  REVOCATIONS_PATH,
} from "../src/revocation/feed.js";
import { REVOKED_SESSION_MODEL } from "../src/revocation/plugin.js";
import { sessionIds } from "../src/revocation/session-id.js";

let auth: RunningAuthServer;
let mail: MailCatcher;
let adminSession: string;
beforeAll(async () => {
  mail = await startMailCatcher();
  auth = await startAuthServer({ SMTP_URL: mail.smtpUrl, RATE_LIMIT_SIGN_IN_MAX: "1000", RATE_LIMIT_MAX: "100000" });
  const admin = newUser("feed-admin");
  adminSession = (await signUp(auth.url, admin)).sessionToken;
  await auth.setRole(admin.email, "admin");
}, 60_000);
afterAll(async () => {
  await auth?.close();
  await mail?.close();
});

async function account(label: string) {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(auth.url, user);
  return { ...user, id: userId, sessionToken };
}

const sidOf = (jwt: string) => decodeJwt(jwt).sid as string;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The feed once it has been rebuilt after now. */
async function freshFeed() {
  await pause(REBUILD_MS + 50);
  const reply = await readRevocations(auth.url);
  expect(reply.status).toBe(200);
  return reply.feed as NonNullable<typeof reply.feed>;
}

describe("the contract's numbers", () => {
  it("path, cap, leeway, rebuild interval and caching are contract.json's", () => {
    const { revocation, limits } = CONTRACT;
    expect(REVOCATIONS_PATH).toBe(revocation.path);
    expect(MAX_FEED_ENTRIES).toBe(limits.maxRevocationEntries);
    expect(MAX_LEEWAY_SECONDS).toBe(revocation.maxLeewaySeconds);
    expect(REBUILD_MS).toBe(revocation.feedRebuildSeconds * 1000);
  });
});

describe("session-bound tokens", () => {
  it("carry a sid: 22 base64url characters, the same on both token paths, another per session", async () => {
    const user = await account("sid");
    const fast = await fetchJwt(auth.url, user.sessionToken);
    const viaSession = await fetch(`${auth.url}/api/auth/get-session`, {
      headers: { authorization: `Bearer ${user.sessionToken}` },
    });
    const slow = viaSession.headers.get("set-auth-jwt") as string;
    expect(sidOf(fast)).toMatch(new RegExp(`^[A-Za-z0-9_-]{${CONTRACT.revocation.sidChars}}$`));
    expect(sidOf(slow)).toBe(sidOf(fast));
    const second = await fetchJwt(auth.url, await signInAgain(auth.url, user));
    expect(sidOf(second)).not.toBe(sidOf(fast));
  });

  it("name the session without revealing it: the sid is neither the session's id nor its token", async () => {
    const user = await account("opaque");
    const jwt = await fetchJwt(auth.url, user.sessionToken);
    const sessions = (await (
      await fetch(`${auth.url}/api/auth/list-sessions`, { headers: { authorization: `Bearer ${user.sessionToken}` } })
    ).json()) as { id: string; token: string }[];
    const [session] = sessions;
    expect(session).toBeDefined();
    const sid = sidOf(jwt);
    expect(sid).toBe(sessionIds(auth.server.config).current(session?.id as string));
    expect(user.sessionToken).not.toContain(sid);
    expect(sid).not.toBe(session?.id);
    expect(session?.token).not.toContain(sid);
  });

  it("a secret rotation lists an ended session under the older secret too", () => {
    const rotated = sessionIds({
      secret: "new-secret-".repeat(4),
      secrets: [
        { version: 2, value: "new-secret-".repeat(4) },
        { version: 1, value: "old-secret-".repeat(4) },
      ],
    });
    const before = sessionIds({ secret: "old-secret-".repeat(4), secrets: undefined });
    expect(rotated.all("session-1")).toEqual([rotated.current("session-1"), before.current("session-1")]);
  });
});

describe("the feed lists every ended session", () => {
  it.each(SESSION_ENDINGS)("%s", async (how) => {
    const user = await account(`end-${how}`);
    const other = await signInAgain(auth.url, user);
    const sid = sidOf(await fetchJwt(auth.url, user.sessionToken));
    const otherSid = sidOf(await fetchJwt(auth.url, other));
    expect((await freshFeed()).sessions).not.toContain(sid);

    await endSession(auth.url, how, user, { adminSession, mail });
    const feed = await freshFeed();
    expect(feed.sessions).toContain(sid);
    // A sign-out ends one session; every other way ends them all.
    if (how === "sign-out") expect(feed.sessions).not.toContain(otherSid);
    else expect(feed.sessions).toContain(otherSid);
  });

  it("and a revoked machine client by its client_id", async () => {
    const client = await auth.createClient("feed robot", "tasks:read:any");
    expect((await freshFeed()).clients).not.toContain(client.client_id);
    const context = await contextOf(auth.server.auth);
    await revokeClient(context.adapter, client.client_id, { log: auth.server.log, by: "test" });
    expect((await freshFeed()).clients).toContain(client.client_id);
  });
});

describe("polling it", () => {
  it("is public, cached a second, and revalidates with its ETag to a 304", async () => {
    const first = await readRevocations(auth.url);
    expect(first.status).toBe(200);
    expect(first.cacheControl).toBe(CONTRACT.revocation.cacheControl);
    expect(Object.keys(first.feed ?? {})).toEqual(CONTRACT.revocation.members);
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await readRevocations(auth.url, first.etag as string);
    expect(again.status).toBe(304);
    expect((await readRevocations(auth.url, `W/${first.etag}`)).status).toBe(304);

    const user = await account("etag");
    await endSession(auth.url, "sign-out", user);
    await pause(REBUILD_MS + 50);
    const changed = await readRevocations(auth.url, first.etag as string);
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(first.etag);
  });

  it("shows a revocation committed late (an older revokedAt than the newest listed) at the next check", async () => {
    const user = await account("newest");
    await endSession(auth.url, "sign-out", user);
    await freshFeed();
    const context = await contextOf(auth.server.auth);
    await context.adapter.create({
      model: REVOKED_SESSION_MODEL,
      data: { sid: "committed-late", revokedAt: new Date(Date.now() - 20_000) },
    });
    expect((await freshFeed()).sessions).toContain("committed-late");
  });

  it("is not limited per address: a verifier fleet behind one NAT polls it", async () => {
    const limited = await startAuthServer({ RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_SECONDS: "60" });
    try {
      const statuses = [];
      for (let i = 0; i < 10; i += 1) statuses.push((await readRevocations(limited.url)).status);
      expect(statuses.every((status) => status === 200)).toBe(true);
      const limitedToken = [];
      for (let i = 0; i < 10; i += 1) limitedToken.push((await fetch(`${limited.url}/api/auth/token`)).status);
      expect(limitedToken).toContain(429);
    } finally {
      await limited.close();
    }
  });
});

describe("bounds", () => {
  it("folds the oldest entries into not_before past the cap, so nothing revoked comes back", async () => {
    const context = await contextOf(auth.server.auth);
    const options = { userTokenTtlSeconds: 900, clientTokenTtlSeconds: 3600 };
    const base = Date.now() + 3_600_000;
    for (let i = 0; i < 5; i += 1) {
      await context.adapter.create({
        model: REVOKED_SESSION_MODEL,
        data: { sid: `folded-${i}`, revokedAt: new Date(base + i * 2000) },
      });
    }
    const feed = await buildFeed(context, { ...options, maxEntries: 3 }, base + 10_000);
    expect(feed.sessions).toEqual(["folded-2", "folded-3", "folded-4"]);
    // The newest folded entry was revoked at base + 2 s: a token issued then or before is refused.
    expect(feed.not_before).toBe(Math.floor((base + 2000) / 1000) + 1);
    expect((await buildFeed(context, options, base + 10_000)).not_before).toBe(0);
  });

  it("forgets an entry once no token issued before it can be alive, and purges its row", async () => {
    const context = await contextOf(auth.server.auth);
    const options = { userTokenTtlSeconds: 900, clientTokenTtlSeconds: 3600 };
    const user = await account("expiry");
    const sid = sidOf(await fetchJwt(auth.url, user.sessionToken));
    await endSession(auth.url, "sign-out", user);
    const life = (900 + MAX_LEEWAY_SECONDS) * 1000;
    expect((await buildFeed(context, options, Date.now() + life - 5000)).sessions).toContain(sid);
    expect((await buildFeed(context, options, Date.now() + life + 5000)).sessions).not.toContain(sid);
    await purgeRevocations(context, options, Date.now() + life + 5000);
    const left = await context.adapter.findMany({
      model: REVOKED_SESSION_MODEL,
      where: [{ field: "sid", value: sid }],
    });
    expect(left).toEqual([]);
  });
});

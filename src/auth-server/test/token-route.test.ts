/**
 * GET /api/auth/token answers the common case itself (token-route.ts) and leaves every other case
 * to Better Auth: these pin that both paths agree on who gets a token.
 */

import { newUser, type RunningAuthServer, signIn, signUp, startAuthServer } from "@authbridge/harness";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let running: RunningAuthServer;
beforeAll(async () => {
  running = await startAuthServer({ RATE_LIMIT_SIGN_IN_MAX: "100", RATE_LIMIT_MAX: "1000" });
});
afterAll(() => running?.close());

const token = (headers: Record<string, string>) => fetch(`${running.url}/api/auth/token`, { headers });

async function session() {
  const user = newUser("route");
  const { sessionToken, userId } = await signUp(running.url, user);
  const signedIn = await signIn(running.url, user);
  const signed = signedIn.headers.get("set-auth-token") as string;
  const cookie = (signedIn.headers.get("set-cookie") as string).split(";")[0] as string;
  // The session row's own token (the part before the signature).
  const raw = sessionToken.slice(0, sessionToken.lastIndexOf("."));
  return { sessionToken, raw, userId, signed, cookie };
}

describe("GET /api/auth/token", () => {
  it("accepts the signed session token (set-auth-token), URL-encoded or not, and the session cookie", async () => {
    const { userId, signed, cookie } = await session();
    expect(signed).toContain(".");
    const credentials: Record<string, string>[] = [
      { authorization: `Bearer ${signed}` },
      { authorization: `Bearer ${encodeURIComponent(signed)}` },
      { cookie },
    ];
    for (const headers of credentials) {
      const res = await token(headers);
      expect(res.status, JSON.stringify(Object.keys(headers))).toBe(200);
      expect(decodeJwt(((await res.json()) as { token: string }).token).sub).toBe(userId);
    }
  });

  it("refuses a bare (unsigned) token, a forged signature, a wrong scheme and no credential with 401", async () => {
    const { signed } = await session();
    const bare = signed.slice(0, signed.lastIndexOf("."));
    const forged = `${signed.slice(0, signed.lastIndexOf(".") + 1)}${"A".repeat(43)}=`;
    const refused: Record<string, string>[] = [
      { authorization: `Bearer ${forged}` },
      { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      { authorization: "Bearer not-a-session" },
      // A session row's token read from a leaked database is not a session.
      { authorization: `Bearer ${bare}` },
      { cookie: `better-auth.session_token=${forged}` },
      {},
    ];
    for (const headers of refused) {
      expect((await token(headers)).status, JSON.stringify(headers)).toBe(401);
    }
  });

  it("refuses a signed-out session at once", async () => {
    const { sessionToken } = await session();
    const headers = { authorization: `Bearer ${sessionToken}` };
    expect((await token(headers)).status).toBe(200);
    const out = await fetch(`${running.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { ...headers, origin: running.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(200);
    expect((await token(headers)).status).toBe(401);
  });

  it("leaves an expired session to Better Auth (401, session removed)", async () => {
    const { sessionToken, raw } = await session();
    const ctx = await running.server.auth.$context;
    await ctx.internalAdapter.updateSession(raw, { expiresAt: new Date(Date.now() - 1000) });
    expect((await token({ authorization: `Bearer ${sessionToken}` })).status).toBe(401);
    expect(await ctx.internalAdapter.findSession(raw)).toBeNull();
  });

  it("leaves a session due for its sliding refresh to Better Auth, which extends it", async () => {
    const { sessionToken, raw, userId } = await session();
    const ctx = await running.server.auth.$context;
    const soon = new Date(Date.now() + 3600_000);
    await ctx.internalAdapter.updateSession(raw, { expiresAt: soon });
    const res = await token({ authorization: `Bearer ${sessionToken}` });
    expect(res.status).toBe(200);
    expect(decodeJwt(((await res.json()) as { token: string }).token).sub).toBe(userId);
    const after = await ctx.internalAdapter.findSession(raw);
    expect(new Date(after?.session.expiresAt as Date).getTime()).toBeGreaterThan(soon.getTime() + 3600_000);
  });
});

describe("GET /api/auth/token, side by side with Better Auth's own endpoint", () => {
  /** Better Auth's answer for the same request, without this server's fast path in front. */
  const stock = (headers: Record<string, string>) =>
    running.server.auth.handler(new Request(`${running.url}/api/auth/token`, { headers }));

  it("accepts and refuses exactly the spellings of a signed session token that Better Auth does", async () => {
    // A signature with a "+" or "/" in it, so that its base64url spelling differs (one in four has neither).
    let { signed, cookie } = await session();
    for (let i = 0; i < 20 && !/[+/]/.test(signed.slice(signed.lastIndexOf(".") + 1)); i += 1) {
      ({ signed, cookie } = await session());
    }
    const dot = signed.lastIndexOf(".");
    const [value, signature] = [signed.slice(0, dot), signed.slice(dot + 1)];
    const cookieName = cookie.slice(0, cookie.indexOf("="));
    const last = signature.at(-2) as string;
    // The same 32 bytes with the last character's two unused bits set: base64 decoders ignore them.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const loose = alphabet[alphabet.indexOf(last) | 3] as string;
    const spellings: Record<string, string> = {
      exact: signed,
      "url-encoded": encodeURIComponent(signed),
      base64url: `${value}.${signature.replace(/\+/g, "-").replace(/\//g, "_")}`,
      "base64url unpadded": `${value}.${signature.replace(/\+/g, "-").replace(/\//g, "_").replace(/=$/, "")}`,
      unpadded: `${value}.${signature.replace(/=$/, "")}`,
      "trailing junk": `${signed}junk`,
      "trailing =": `${signed}=`,
      "%20 after": `${signed}%20`,
      "%20 inside": `${value}.${signature.slice(0, 10)}%20${signature.slice(10)}`,
      "space inside": `${value}.${signature.slice(0, 10)} ${signature.slice(10)}`,
      "loose last character": `${value}.${signature.slice(0, -2)}${loose}=`,
      "two dots": `${value}..${signature}`,
      "double-encoded": encodeURIComponent(encodeURIComponent(signed)),
    };
    const outcomes: string[] = [];
    for (const [name, spelling] of Object.entries(spellings)) {
      const variants: Record<string, string>[] = [
        { authorization: `Bearer ${spelling}` },
        { cookie: `${cookieName}=${spelling}` },
      ];
      for (const headers of variants) {
        const [ours, theirs] = [(await token(headers)).status, (await stock(headers)).status];
        outcomes.push(`${name} ${Object.keys(headers)[0]}: ${ours}`);
        expect(ours, `${name} as ${Object.keys(headers)[0]}`).toBe(theirs);
      }
    }
    // Both accept the exact and the URL-encoded form; neither accepts base64url, unpadded or junk.
    expect(outcomes).toContain("exact authorization: 200");
    expect(outcomes).toContain("url-encoded cookie: 200");
    expect(outcomes).toContain("base64url authorization: 401");
    expect(outcomes).toContain("trailing junk cookie: 401");
  });
});

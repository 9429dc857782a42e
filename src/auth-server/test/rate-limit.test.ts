/**
 * Rate limits are keyed by the socket address: one client hammering sign-in gets 429 with a
 * retry header, another loopback address is not affected, and a spoofed forwarding header
 * does not buy a fresh bucket.
 */
import http from "node:http";
import { postFrom, type Reply } from "@authbridge/harness";
import { useAuthServer } from "@authbridge/harness/vitest";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("POST /api/auth/sign-in/email rate limit", () => {
  const running = useAuthServer({ RATE_LIMIT_SIGN_IN_MAX: "3", RATE_LIMIT_SIGN_IN_WINDOW_SECONDS: "60" });

  const badSignIn = { email: "nobody@example.test", password: "wrong-password-123" };

  it("answers 429 with Retry-After after repeated bad sign-ins from one client", async () => {
    const statuses: number[] = [];
    let limited: Reply | undefined;
    for (let i = 0; i < 5; i += 1) {
      const reply = await postFrom("127.0.0.1", `${running.url}/api/auth/sign-in/email`, badSignIn, {
        // A client-chosen forwarding header must not pick the bucket.
        "x-forwarded-for": `10.0.0.${i}`,
        "x-authbridge-client-ip": `10.0.1.${i}`,
      });
      statuses.push(reply.status);
      if (reply.status === 429) limited = reply;
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(Number(limited?.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited?.headers["x-retry-after"]).toBe(limited?.headers["retry-after"]);
  });

  it("does not block a second client on another loopback address", async () => {
    const reply = await postFrom("127.0.0.2", `${running.url}/api/auth/sign-in/email`, badSignIn);
    expect(reply.status).toBe(401);
  });
});

describe("junk requests", () => {
  const running = useAuthServer({
    RATE_LIMIT_SIGN_IN_MAX: "2",
    RATE_LIMIT_SIGN_IN_WINDOW_SECONDS: "60",
    RATE_LIMIT_MAX: "1000000",
  });

  it("cannot buy a fresh set of sign-in attempts (5,000 requests to nonexistent paths)", async () => {
    const url = `${running.url}/api/auth/sign-in/email`;
    const body = { email: "nobody@example.test", password: "wrong-password-123" };
    expect((await postFrom("127.0.0.3", url, body)).status).toBe(401);
    expect((await postFrom("127.0.0.3", url, body)).status).toBe(401);
    expect((await postFrom("127.0.0.3", url, body)).status).toBe(429);
    let sent = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32, localAddress: "127.0.0.3" });
    const junk = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.get(`${running.url}/api/auth/no-such-path-${sent}`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        });
        req.on("error", reject);
      });
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (sent < 5_000) {
          sent += 1;
          await junk();
        }
      }),
    );
    agent.destroy();
    expect((await postFrom("127.0.0.3", url, body)).status).toBe(429);
  });
});

describe("TRUST_PROXY_HEADER from TRUSTED_PROXIES only", () => {
  const running = useAuthServer({
    RATE_LIMIT_SIGN_IN_MAX: "2",
    RATE_LIMIT_SIGN_IN_WINDOW_SECONDS: "60",
    TRUST_PROXY_HEADER: "X-Forwarded-For",
    // 127.0.0.1 is the proxy; localhost resolves to it too (a host name, as compose names nginx).
    TRUSTED_PROXIES: "127.0.0.1, localhost, 10.9.0.0/16",
  });
  const url = () => `${running.url}/api/auth/sign-in/email`;
  const body = { email: "nobody@example.test", password: "wrong-password-123" };

  it("behind a trusted proxy, keys the bucket by the right-most address that is no trusted proxy", async () => {
    const a = { "x-forwarded-for": "198.51.100.7, 203.0.113.1" };
    // 10.9.0.4 is a trusted proxy in front of 127.0.0.1: the client is the hop before it.
    const b = { "x-forwarded-for": "203.0.113.1, 203.0.113.2, 10.9.0.4" };
    expect((await postFrom("127.0.0.1", url(), body, a)).status).toBe(401);
    expect((await postFrom("127.0.0.1", url(), body, a)).status).toBe(401);
    expect((await postFrom("127.0.0.1", url(), body, a)).status).toBe(429);
    expect((await postFrom("127.0.0.1", url(), body, b)).status).toBe(401);
    expect((await postFrom("127.0.0.1", url(), body, b)).status).toBe(401);
    expect((await postFrom("127.0.0.1", url(), body, b)).status).toBe(429);
  });

  it("a client talking to the server directly cannot pick its bucket with the header", async () => {
    const spoof = (n: number) => ({ "x-forwarded-for": `198.51.100.${n}` });
    expect((await postFrom("127.0.2.1", url(), body, spoof(1))).status).toBe(401);
    expect((await postFrom("127.0.2.1", url(), body, spoof(2))).status).toBe(401);
    expect((await postFrom("127.0.2.1", url(), body, spoof(3))).status).toBe(429);
  });

  it("refuses to start with the header and no proxies named, or with an entry that is no address", () => {
    const base = { NODE_ENV: "test", BETTER_AUTH_SECRET: "s".repeat(40), TRUST_PROXY_HEADER: "x-forwarded-for" };
    expect(() => loadConfig(base, { dataDir: running.dataDir })).toThrow(/TRUST_PROXY_HEADER needs TRUSTED_PROXIES/);
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: "10.0.0.1/99" }, { dataDir: running.dataDir })).toThrow(
      /TRUSTED_PROXIES: "10.0.0.1\/99"/,
    );
    expect(loadConfig({ ...base, TRUSTED_PROXIES: "10.0.0.1, fd00::/8, auth-lb" }).trustedProxies).toEqual([
      "10.0.0.1",
      "fd00::/8",
      "auth-lb",
    ]);
  });
});

describe("every credential-checking endpoint", () => {
  const running = useAuthServer({
    RATE_LIMIT_SIGN_IN_MAX: "2",
    RATE_LIMIT_MAX: "3",
    RATE_LIMIT_WINDOW_SECONDS: "60",
  });

  // Each from its own loopback address: one client's bucket per case.
  it.each([
    ["/sign-in/email", "127.0.1.1"],
    ["/sign-up/email", "127.0.1.2"],
    ["/verify-password", "127.0.1.3"],
    ["/change-password", "127.0.1.4"],
    ["/change-email", "127.0.1.5"],
    ["/request-password-reset", "127.0.1.6"],
    ["/reset-password", "127.0.1.7"],
    ["/send-verification-email", "127.0.1.8"],
    ["/delete-user", "127.0.1.9"],
  ])("%s is limited at the sign-in strictness", async (route, address) => {
    const url = `${running.url}/api/auth${route}`;
    const body = { email: "nobody@example.test", password: "wrong-password-123", newPassword: "x", token: "x" };
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await postFrom(address, url, body)).status);
    expect(statuses.slice(0, 2)).not.toContain(429);
    expect(statuses[2]).toBe(429);
  });

  it("the JWKS has a generous limit of its own (ten times the general one)", async () => {
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${running.url}${path}`, { localAddress: "127.0.2.1" }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          })
          .on("error", reject);
      });
    const jwks = [];
    for (let i = 0; i < 12; i += 1) jwks.push(await get("/.well-known/jwks.json"));
    expect(jwks.filter((status) => status === 429)).toEqual([]);
    const general = [];
    for (let i = 0; i < 4; i += 1) general.push(await get("/api/auth/ok"));
    expect(general.at(-1)).toBe(429);
  });
});

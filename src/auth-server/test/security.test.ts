/** Origin check, CORS and security headers against the real server. */

import { newUser, signUp } from "@authbridge/harness";
import { useAuthServer } from "@authbridge/harness/vitest";
import { describe, expect, it } from "vitest";

const TRUSTED = "http://app.authbridge.test:5173";

describe("origin check and CORS", () => {
  const running = useAuthServer({ TRUSTED_ORIGINS: TRUSTED });

  it("refuses a cookie-bearing POST from an untrusted Origin with 403", async () => {
    const user = newUser("origin");
    await signUp(running.url, user);
    const signIn = await fetch(`${running.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: running.url },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect(cookie).toContain("session_token");

    const evil = await fetch(`${running.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example", cookie },
      body: "{}",
    });
    expect(evil.status).toBe(403);
    const trusted = await fetch(`${running.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: TRUSTED, cookie },
      body: "{}",
    });
    expect(trusted.status).toBe(200);
  });

  it("allows a preflight from a trusted origin with credentials", async () => {
    const res = await fetch(`${running.url}/api/auth/sign-in/email`, {
      method: "OPTIONS",
      headers: {
        origin: TRUSTED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(TRUSTED);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("gives no allow-origin header to an untrusted origin", async () => {
    const res = await fetch(`${running.url}/api/auth/sign-in/email`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes set-auth-jwt and set-auth-token to a trusted origin", async () => {
    const res = await fetch(`${running.url}/api/auth/get-session`, { headers: { origin: TRUSTED } });
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    expect(exposed).toContain("set-auth-jwt");
    expect(exposed).toContain("set-auth-token");
  });

  it("sends security headers", async () => {
    const res = await fetch(`${running.url}/healthz`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});

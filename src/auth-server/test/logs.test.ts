/** What the server logs during sign-up, sign-in and token fetches holds no secret. */

import { fetchJwt, newUser, signIn, signUp } from "@authbridge/harness";
import { useAuthServer } from "@authbridge/harness/vitest";
import { describe, expect, it } from "vitest";

describe("logs", () => {
  const running = useAuthServer({ LOG_LEVEL: "debug" });

  it("never contain the password, session token or JWT, and record the audit events", async () => {
    const user = newUser("logs");
    const { sessionToken, userId } = await signUp(running.url, user);
    const failed = await signIn(running.url, { email: user.email, password: `${user.password}-wrong` });
    expect(failed.status).toBe(401);
    const ok = await signIn(running.url, user);
    const secondSession = ((await ok.json()) as { token: string }).token;
    const jwt = await fetchJwt(running.url, sessionToken);
    await fetch(`${running.url}/api/auth/get-session?token=${encodeURIComponent(jwt)}`, {
      headers: { authorization: `Bearer ${secondSession}` },
    });

    const text = running.logs.join("\n");
    for (const secret of [user.password, `${user.password}-wrong`, sessionToken, secondSession, jwt]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(jwt.split(".")[2]);
    expect(text).not.toContain(sessionToken.split(".")[0]);

    const events = running.logs.map((line) => JSON.parse(line) as Record<string, string>).filter((l) => l.event);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(["sign_up", "sign_in.failure", "sign_in.success", "token.issued"]),
    );
    expect(events.find((e) => e.event === "sign_up")?.user_id).toBe(userId);
    expect(running.logs.every((line) => typeof JSON.parse(line).time === "string")).toBe(true);
  });
});

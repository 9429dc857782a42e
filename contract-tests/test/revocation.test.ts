/**
 * CONTRACT §8 across languages, in whichever runtime the run chose (processes or containers):
 * each way a session or a client ends makes a token both task APIs had already accepted (and
 * cached) fail with 401 token_revoked within the bound, with the verifiers' defaults; the tokens
 * of sessions that did not end keep working. The time each API took is measured and printed.
 */
import {
  clientToken,
  endSession,
  fetchJwt,
  type MailCatcher,
  type MfaUser,
  newUser,
  SESSION_ENDINGS,
  signInAgain,
  signUp,
  signUpWithTotp,
  startMailCatcher,
} from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../src/backends.js";
import { observe } from "../src/matrix.js";
import { BOUND_MS, timeToRefusal } from "../src/revocation.js";
import { type Stack, startStack } from "../src/stack.js";

let stack: Stack;
let mail: MailCatcher;
let admin: MfaUser;
beforeAll(async () => {
  mail = await startMailCatcher();
  stack = await startStack({}, { SMTP_URL: mail.smtpUrl });
  // Admin operations ask for a second factor (MFA_REQUIRED_ROLES=admin).
  admin = await signUpWithTotp(stack.auth.url, "revoker", (email) => stack.auth.setRole(email, "admin"));
}, 180_000);
afterAll(async () => {
  await stack?.close();
  await mail?.close();
});

const statuses = (jwt: string, path = "/api/me") =>
  Promise.all(
    stack.backends.list.map(
      async (backend: Backend) => (await observe(backend.url, "GET", path, { authorization: `Bearer ${jwt}` })).status,
    ),
  );

function expectWithinBound(how: string, times: Record<string, number>) {
  console.log(`[revocation] ${how}: refused after ${JSON.stringify(times)} ms (${stack.runtime} runtime)`);
  for (const [backend, ms] of Object.entries(times))
    expect(ms, `${backend} after ${how}`).toBeLessThanOrEqual(BOUND_MS);
}

describe("a user's token ends with the session", () => {
  it.concurrent.each(SESSION_ENDINGS)("%s: both APIs answer 401 token_revoked within the bound", async (how) => {
    const user = newUser(`revoked-${how}`);
    const { sessionToken, userId } = await signUp(stack.auth.url, user);
    const account = { ...user, id: userId, sessionToken };
    const other = await signInAgain(stack.auth.url, user);
    const jwt = await fetchJwt(stack.auth.url, sessionToken);
    const otherJwt = await fetchJwt(stack.auth.url, other);
    // Accepted (and cached by both verifiers) before the session ends.
    expect(await statuses(jwt)).toEqual([200, 200]);
    expect(await statuses(otherJwt)).toEqual([200, 200]);

    const ended = Date.now();
    await endSession(stack.auth.url, how, account, { adminSession: admin.sessionToken, mail });
    expectWithinBound(how, await timeToRefusal(stack.backends.list, jwt, ended));
    if (how === "sign-out") {
      // One session ended; the device that did not sign out keeps working.
      expect(await statuses(otherJwt)).toEqual([200, 200]);
      expect(await statuses(await fetchJwt(stack.auth.url, other))).toEqual([200, 200]);
    } else {
      expectWithinBound(`${how} (the other device)`, await timeToRefusal(stack.backends.list, otherJwt, ended));
    }
  });

  it("a password change's new session works at once", async () => {
    const user = newUser("renewed");
    const { sessionToken } = await signUp(stack.auth.url, user);
    const res = await fetch(`${stack.auth.url}/api/auth/change-password`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${sessionToken}`,
        "content-type": "application/json",
        origin: stack.auth.url,
      },
      body: JSON.stringify({ currentPassword: user.password, newPassword: `${newUser("n").password}-new` }),
    });
    expect(res.status).toBe(200);
    const renewed = res.headers.get("set-auth-token") as string;
    expect(renewed).toBeTruthy();
    expect(await statuses(await fetchJwt(stack.auth.url, renewed))).toEqual([200, 200]);
  });
});

describe("a machine client's token ends with the client", () => {
  it("revoked by the admin endpoint: both APIs answer 401 token_revoked within the bound", async () => {
    const client = await stack.auth.createClient("revoked reporter", "users:list");
    const jwt = await clientToken(stack.auth.url, client, "users:list");
    expect(await statuses(jwt, "/api/admin/users")).toEqual([200, 200]);
    const revoked = Date.now();
    const res = await fetch(`${stack.auth.url}/api/auth/admin/revoke-client`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${admin.sessionToken}`,
        "content-type": "application/json",
        origin: stack.auth.url,
      },
      body: JSON.stringify({ client_id: client.client_id }),
    });
    expect(res.status).toBe(200);
    expectWithinBound("client revoked", await timeToRefusal(stack.backends.list, jwt, revoked, "/api/admin/users"));
  });
});

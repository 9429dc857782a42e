/**
 * A second factor end to end, as users get it: enrolment and sign-in through the real auth
 * server's twoFactor endpoints with codes an authenticator computes, and both task APIs (as
 * processes or containers) under MFA_REQUIRED_ROLES=admin answering every step alike.
 */
import {
  claimsOf,
  enrolTotp,
  fetchJwt,
  newUser,
  postAuth,
  signIn,
  signInWithSecondFactor,
  signUp,
} from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../src/backends.js";
import { CONTRACT, challengeOf } from "../src/contract.js";
import { observe, parity } from "../src/matrix.js";
import { type Stack, startStack } from "../src/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  console.log(`contract runtime: ${stack.runtime}`);
}, 180_000);
afterAll(async () => stack?.close());

/** The same request to both task APIs: the two answers, which must agree. */
async function onBoth(path: string, jwt: string) {
  const answers = await Promise.all(
    stack.backends.list.map((backend: Backend) =>
      observe(backend.url, "GET", path, { authorization: `Bearer ${jwt}` }),
    ),
  );
  expect(parity(answers[0] as never, answers[1] as never)).toEqual([]);
  return answers[0] as Awaited<ReturnType<typeof observe>>;
}

const STEP_UP = challengeOf("insufficient_user_authentication", { mfa: true });

describe("a user with TOTP", () => {
  it("enrols, signs in with a code, and both APIs see amr with mfa", async () => {
    const user = newUser("totp");
    const { sessionToken } = await signUp(stack.auth.url, user);
    const enrolled = await enrolTotp(stack.auth.url, { ...user, sessionToken });
    await postAuth(stack.auth.url, "sign-out", {}, { sessionToken: enrolled.sessionToken });
    const signed = await signInWithSecondFactor(stack.auth.url, user, enrolled);
    const claims = claimsOf(signed.jwt);
    expect(claims.amr).toEqual(CONTRACT.stepUp.amr.totp);
    expect(typeof claims.auth_time).toBe("number");
    const me = await onBoth("/api/me", signed.jwt);
    expect(me.status).toBe(200);
  });
});

describe("an admin under MFA_REQUIRED_ROLES=admin", () => {
  it("is refused with the identical RFC 9470 401 until the second factor, then let in", async () => {
    const admin = newUser("stepup-admin");
    const { sessionToken } = await signUp(stack.auth.url, admin);
    await stack.auth.setRole(admin.email, "admin");
    const passwordOnly = await fetchJwt(stack.auth.url, sessionToken);
    expect(claimsOf(passwordOnly).amr).toEqual(CONTRACT.stepUp.amr.password);
    for (const path of ["/api/admin/tasks", "/api/admin/users"]) {
      const refused = await onBoth(path, passwordOnly);
      expect([refused.status, refused.code]).toEqual([401, "insufficient_user_authentication"]);
      expect(refused.wwwAuthenticate).toBe(STEP_UP);
      expect(refused.body).toEqual({
        detail: CONTRACT.authErrors.insufficient_user_authentication?.message,
        code: refused.code,
      });
    }
    // The step-up prompt: turn TOTP on, which completes a second factor on this session.
    const enrolled = await enrolTotp(stack.auth.url, { sessionToken, password: admin.password });
    const stepped = await fetchJwt(stack.auth.url, enrolled.sessionToken);
    expect(claimsOf(stepped).amr).toEqual(CONTRACT.stepUp.amr.totp);
    expect(claimsOf(stepped).auth_time).toBe(claimsOf(passwordOnly).auth_time);
    expect((await onBoth("/api/admin/tasks", stepped)).status).toBe(200);

    // A later sign-in needs the code; one with a backup code is a second factor too.
    const res = await signIn(stack.auth.url, admin);
    expect(((await res.json()) as { twoFactorRedirect?: boolean }).twoFactorRedirect).toBe(true);
    const withBackup = await signInWithSecondFactor(stack.auth.url, admin, {
      backupCode: enrolled.backupCodes[0] as string,
    });
    expect(claimsOf(withBackup.jwt).amr).toEqual(CONTRACT.stepUp.amr.backupCode);
    expect((await onBoth("/api/admin/users", withBackup.jwt)).status).toBe(200);
  });

  it("the auth server's own admin operations ask the same of a password-only admin", async () => {
    const admin = newUser("auth-admin");
    const { sessionToken } = await signUp(stack.auth.url, admin);
    await stack.auth.setRole(admin.email, "admin");
    const list = (token: string) =>
      fetch(`${stack.auth.url}/api/auth/admin/list-clients`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await list(sessionToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe(CONTRACT.stepUp.authServerChallenge);
    const enrolled = await enrolTotp(stack.auth.url, { sessionToken, password: admin.password });
    expect((await list(enrolled.sessionToken)).status).toBe(200);
  });
});

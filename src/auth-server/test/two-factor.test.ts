/**
 * TOTP and backup codes through Better Auth's twoFactor endpoints as a frontend calls them,
 * with codes an authenticator computes (`otpauth`): what the tokens then say (`amr`,
 * `auth_time`), single use of codes, trusted devices off, audit lines and mail.
 */
import {
  claimsOf,
  enrolTotp,
  fetchJwt,
  type MailCatcher,
  newUser,
  postAuth,
  type RunningAuthServer,
  signIn,
  signInWithSecondFactor,
  signUp,
  startAuthServer,
  startMailCatcher,
  startSignIn,
} from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let auth: RunningAuthServer;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
  auth = await startAuthServer({
    SMTP_URL: mail.smtpUrl,
    RATE_LIMIT_SIGN_IN_MAX: "1000",
    RATE_LIMIT_MAX: "100000",
    TWO_FACTOR_RATE_LIMIT_MAX: "1000",
  });
}, 60_000);
afterAll(async () => {
  await auth?.close();
  await mail?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const auditOf = (event: string) =>
  auth.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "audit" && entry.event === event);

/** A new account, signed in with its password. */
async function account(label: string) {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(auth.url, user);
  return { ...user, sessionToken, id: userId };
}

/** The JWT `GET /api/auth/get-session` hands out (Better Auth's own path, `set-auth-jwt`). */
async function betterAuthJwt(sessionToken: string): Promise<string> {
  const res = await fetch(`${auth.url}/api/auth/get-session?disableCookieCache=true`, {
    headers: { authorization: `Bearer ${sessionToken}` },
  });
  const jwt = res.headers.get("set-auth-jwt");
  if (!jwt) throw new Error(`get-session gave no set-auth-jwt (${res.status})`);
  return jwt;
}

describe("a password sign-in", () => {
  it("says amr [pwd] and auth_time, on both token paths", async () => {
    const before = now();
    const user = await account("pwd");
    for (const jwt of [await fetchJwt(auth.url, user.sessionToken), await betterAuthJwt(user.sessionToken)]) {
      const claims = claimsOf(jwt);
      expect(claims.amr).toEqual(["pwd"]);
      expect(claims.auth_time).toBeGreaterThanOrEqual(before);
      expect(claims.auth_time).toBeLessThanOrEqual(now());
    }
  });

  it("cannot raise its own amr: the session's fields take no input", async () => {
    const user = await account("forger");
    const update = await postAuth(auth.url, "update-session", { amr: "pwd otp mfa", authTime: 1 }, user);
    expect(update.status).toBeGreaterThanOrEqual(400);
    expect(update.status).toBeLessThan(500);
    expect(claimsOf(await fetchJwt(auth.url, user.sessionToken)).amr).toEqual(["pwd"]);
  });
});

describe("enrolment", () => {
  it("enable answers a totpURI and ten backup codes; a first code turns 2FA on and the session gets mfa", async () => {
    const user = await account("enrol");
    const signedInAt = claimsOf(await fetchJwt(auth.url, user.sessionToken)).auth_time;
    const enrolled = await enrolTotp(auth.url, user);
    expect(enrolled.totpURI).toMatch(/^otpauth:\/\/totp\/authbridge:/);
    expect(enrolled.backupCodes).toHaveLength(10);
    expect(new Set(enrolled.backupCodes).size).toBe(10);
    const claims = claimsOf(await fetchJwt(auth.url, enrolled.sessionToken));
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
    // The sign-in's time, not the confirmation's.
    expect(claims.auth_time).toBe(signedInAt);
    expect(auditOf("two_factor.enrolment_started").some((e) => e.user_id === user.id)).toBe(true);
    expect(auditOf("two_factor.enabled").some((e) => e.user_id === user.id)).toBe(true);
  });

  it("a wrong password enables nothing", async () => {
    const user = await account("wrong-pass");
    const reply = await postAuth(auth.url, "two-factor/enable", { password: "not the password at all" }, user);
    expect(reply.status).toBe(400);
    const res = await signIn(auth.url, user);
    expect(((await res.json()) as { twoFactorRedirect?: boolean }).twoFactorRedirect).toBeUndefined();
  });

  it("stores the TOTP secret and backup codes encrypted, never in the clear", async () => {
    const user = await account("at-rest");
    const enrolled = await enrolTotp(auth.url, user);
    const secret = new URL(enrolled.totpURI).searchParams.get("secret") as string;
    const fs = await import("node:fs");
    const path = await import("node:path");
    const bytes = fs
      .readdirSync(auth.dataDir)
      .filter((name) => name.startsWith("auth.sqlite"))
      .map((name) => fs.readFileSync(path.join(auth.dataDir, name)).toString("latin1"))
      .join("");
    expect(bytes).not.toContain(secret);
    for (const code of enrolled.backupCodes) expect(bytes).not.toContain(code);
    expect(auth.logs.join("\n")).not.toContain(secret);
  });
});

describe("signing in with 2FA on", () => {
  /** A new account with TOTP on: each test its own, so that its codes need no wait. */
  async function enrolledAccount(label: string) {
    const user = await account(label);
    return { user, enrolled: await enrolTotp(auth.url, user) };
  }

  it("the password alone gives no session: twoFactorRedirect and a two_factor cookie", async () => {
    const { user } = await enrolledAccount("redirect");
    const res = await signIn(auth.url, user);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ twoFactorRedirect: true, twoFactorMethods: ["totp"] });
    expect(res.headers.get("set-auth-token")).toBeNull();
  });

  it("a code completes it: the token says amr [pwd, otp, mfa] and a fresh auth_time, on both paths", async () => {
    const { user, enrolled } = await enrolledAccount("signin");
    const before = now();
    const signed = await signInWithSecondFactor(auth.url, user, enrolled);
    const claims = claimsOf(signed.jwt);
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
    expect(claimsOf(await betterAuthJwt(signed.sessionToken))).toMatchObject({
      amr: claims.amr,
      auth_time: claims.auth_time,
    });
    expect(auditOf("two_factor.verified").some((e) => e.user_id === user.id)).toBe(true);
  });

  it("a wrong code is 401 and audited; the challenge stays open for the right one", async () => {
    const { user, enrolled } = await enrolledAccount("wrong-code");
    const cookies = await startSignIn(auth.url, user);
    const wrong = await postAuth(
      auth.url,
      "two-factor/verify-totp",
      { code: enrolled.authenticator.staleCode() },
      { cookies },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.sessionToken).toBeNull();
    expect(auditOf("two_factor.code_failed").some((e) => e.user_id === user.id)).toBe(true);
    const right = await postAuth(
      auth.url,
      "two-factor/verify-totp",
      { code: await enrolled.authenticator.freshCode() },
      { cookies },
    );
    expect(right.status).toBe(200);
  });

  it("a used code cannot be replayed, not even on a new challenge", async () => {
    const { user, enrolled } = await enrolledAccount("replay");
    const first = await startSignIn(auth.url, user);
    const code = await enrolled.authenticator.freshCode();
    expect((await postAuth(auth.url, "two-factor/verify-totp", { code }, { cookies: first })).status).toBe(200);
    const second = await startSignIn(auth.url, user);
    const replay = await postAuth(auth.url, "two-factor/verify-totp", { code }, { cookies: second });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe("INVALID_CODE");
    expect(replay.sessionToken).toBeNull();
    expect(auditOf("two_factor.code_replayed").some((e) => e.user_id === user.id)).toBe(true);
  });

  it("of two concurrent requests with one code, one wins", async () => {
    const { user, enrolled } = await enrolledAccount("race");
    const [a, b] = await Promise.all([startSignIn(auth.url, user), startSignIn(auth.url, user)]);
    const code = await enrolled.authenticator.freshCode();
    const replies = await Promise.all([
      postAuth(auth.url, "two-factor/verify-totp", { code }, { cookies: a }),
      postAuth(auth.url, "two-factor/verify-totp", { code }, { cookies: b }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("trusted devices are off: trustDevice sets no cookie, and the next sign-in asks again", async () => {
    const { user, enrolled } = await enrolledAccount("trust");
    const cookies = await startSignIn(auth.url, user);
    const code = await enrolled.authenticator.freshCode();
    const reply = await postAuth(auth.url, "two-factor/verify-totp", { code, trustDevice: true }, { cookies });
    expect(reply.status).toBe(200);
    expect(reply.cookies.filter((c) => /trust_device=./.test(c))).toEqual([]);
    const again = await postAuth(
      auth.url,
      "sign-in/email",
      { email: user.email, password: user.password },
      {
        cookies: [...cookies, ...reply.cookies],
      },
    );
    expect(again.body.twoFactorRedirect).toBe(true);
  });
});

describe("backup codes", () => {
  it("one completes a sign-in once (amr [pwd, mfa]); its owner is mailed; a second use fails", async () => {
    const user = await account("backup");
    const enrolled = await enrolTotp(auth.url, user);
    const code = enrolled.backupCodes[0] as string;
    const signed = await signInWithSecondFactor(auth.url, user, { backupCode: code });
    expect(claimsOf(signed.jwt).amr).toEqual(["pwd", "mfa"]);
    expect(auditOf("two_factor.backup_code_used").some((e) => e.user_id === user.id)).toBe(true);
    await mail.waitFor(user.email, "A backup code was used");
    const cookies = await startSignIn(auth.url, user);
    const reuse = await postAuth(auth.url, "two-factor/verify-backup-code", { code }, { cookies });
    expect(reuse.status).toBe(401);
  });
});

describe("step-up on a session without mfa", () => {
  it("a code verified while signed in upgrades that session's amr; auth_time stays the sign-in's", async () => {
    const user = await account("stepup");
    // A second device signed in with the password before 2FA was turned on elsewhere.
    const other = (await signIn(auth.url, user)).headers.get("set-auth-token") as string;
    const enrolled = await enrolTotp(auth.url, user);
    const before = claimsOf(await fetchJwt(auth.url, other));
    expect(before.amr).toEqual(["pwd"]);
    const reply = await postAuth(
      auth.url,
      "two-factor/verify-totp",
      { code: await enrolled.authenticator.freshCode() },
      {
        sessionToken: other,
      },
    );
    expect(reply.status).toBe(200);
    const after = claimsOf(await fetchJwt(auth.url, other));
    expect(after.amr).toEqual(["pwd", "otp", "mfa"]);
    expect(after.auth_time).toBe(before.auth_time);
    expect(auditOf("two_factor.step_up").some((e) => e.user_id === user.id)).toBe(true);
  });
});

describe("sessions that replace a session", () => {
  it("a password change that signs the others out keeps the sign-in's amr and auth_time", async () => {
    const user = await account("change-pass");
    const enrolled = await enrolTotp(auth.url, user);
    const before = claimsOf(await fetchJwt(auth.url, enrolled.sessionToken));
    const changed = await postAuth(
      auth.url,
      "change-password",
      { currentPassword: user.password, newPassword: `${user.password}-2`, revokeOtherSessions: true },
      { sessionToken: enrolled.sessionToken },
    );
    expect(changed.status).toBe(200);
    const after = claimsOf(await fetchJwt(auth.url, changed.sessionToken as string));
    expect(after).toMatchObject({ amr: before.amr, auth_time: before.auth_time });
  });

  it("an admin's impersonation session carries no method of the admin's sign-in", async () => {
    const admin = await account("impersonator");
    await auth.setRole(admin.email, "admin");
    const enrolled = await enrolTotp(auth.url, admin);
    const target = await account("impersonated");
    const started = await postAuth(
      auth.url,
      "admin/impersonate-user",
      { userId: target.id },
      {
        sessionToken: enrolled.sessionToken,
      },
    );
    expect(started.status).toBe(200);
    const claims = claimsOf(await fetchJwt(auth.url, started.sessionToken as string));
    expect(claims.sub).toBe(target.id);
    expect(claims.amr).toBeUndefined();
  });
});

describe("disabling", () => {
  it("takes the password; the owner is mailed; sign-in is the password alone again", async () => {
    const user = await account("disable");
    const enrolled = await enrolTotp(auth.url, user);
    const wrong = await postAuth(
      auth.url,
      "two-factor/disable",
      { password: "not the password at all" },
      {
        sessionToken: enrolled.sessionToken,
      },
    );
    expect(wrong.status).toBe(400);
    const off = await postAuth(
      auth.url,
      "two-factor/disable",
      { password: user.password },
      {
        sessionToken: enrolled.sessionToken,
      },
    );
    expect(off.status).toBe(200);
    expect(auditOf("two_factor.disabled").some((e) => e.user_id === user.id)).toBe(true);
    await mail.waitFor(user.email, "Two-factor authentication was turned off");
    const res = await signIn(auth.url, user);
    const token = res.headers.get("set-auth-token") as string;
    expect(claimsOf(await fetchJwt(auth.url, token)).amr).toEqual(["pwd"]);
  });
});

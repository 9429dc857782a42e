/**
 * Brute force against 6-digit codes: the per-account limit holds across addresses, the per-IP
 * limit across accounts (429 + Retry-After), and the plugin's lock after ten failures (sign-in
 * and signed-in attempts alike) is audited and mailed.
 */
import {
  enrolTotp,
  type MailCatcher,
  newUser,
  postAuth,
  postFrom,
  type RunningAuthServer,
  signUp,
  startAuthServer,
  startMailCatcher,
  startSignIn,
} from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let strict: RunningAuthServer;
let loose: RunningAuthServer;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
  const common = { SMTP_URL: mail.smtpUrl, RATE_LIMIT_SIGN_IN_MAX: "1000", RATE_LIMIT_MAX: "100000" };
  [strict, loose] = await Promise.all([
    startAuthServer({ ...common, TWO_FACTOR_RATE_LIMIT_MAX: "5", TWO_FACTOR_RATE_LIMIT_WINDOW_SECONDS: "60" }),
    startAuthServer({ ...common, TWO_FACTOR_RATE_LIMIT_MAX: "1000" }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([strict?.close(), loose?.close()]);
  await mail?.close();
});

async function enrolledAccount(auth: RunningAuthServer, label: string) {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(auth.url, user);
  const enrolled = await enrolTotp(auth.url, { ...user, sessionToken });
  return { user: { ...user, id: userId }, enrolled };
}

const auditOf = (auth: RunningAuthServer, event: string, userId: string) =>
  auth.logs
    .map((line) => JSON.parse(line))
    .filter((e) => e.msg === "audit" && e.event === event && e.user_id === userId);

describe("per account (TWO_FACTOR_RATE_LIMIT_MAX=5 a minute)", () => {
  it("codes from many addresses share one budget: the sixth call is 429 with Retry-After, even with the right code", async () => {
    // Enrolment spent two of the five calls (enable, confirm).
    const { user, enrolled } = await enrolledAccount(strict, "many-ips");
    const cookies = await startSignIn(strict.url, user);
    const verify = (from: string, code: string) =>
      postFrom(from, `${strict.url}/api/auth/two-factor/verify-totp`, { code }, { cookie: cookies.join("; ") });
    for (const from of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
      expect((await verify(from, "000000")).status).toBe(401);
    }
    const refused = await verify("127.0.0.5", await enrolled.authenticator.freshCode());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(auditOf(strict, "two_factor.refused", user.id).length).toBeGreaterThanOrEqual(1);
  });
});

describe("per IP", () => {
  it("one address guessing at many challenges is stopped after five calls", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await postFrom("127.0.0.9", `${strict.url}/api/auth/two-factor/verify-totp`, { code: "123456" });
      statuses.push(reply.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
  });
});

describe("the lock after ten failed codes", () => {
  it("locks sign-in attempts (429 ACCOUNT_TEMPORARILY_LOCKED, right code too), audits and mails it", async () => {
    const { user, enrolled } = await enrolledAccount(loose, "locked");
    let failures = 0;
    while (failures < 10) {
      // The plugin allows five attempts per challenge; a new sign-in opens another.
      const cookies = await startSignIn(loose.url, user);
      for (let i = 0; i < 5 && failures < 10; i++, failures++) {
        const reply = await postAuth(loose.url, "two-factor/verify-totp", { code: "000000" }, { cookies });
        expect(reply.status).toBe(401);
      }
    }
    const cookies = await startSignIn(loose.url, user);
    const right = await postAuth(
      loose.url,
      "two-factor/verify-totp",
      { code: await enrolled.authenticator.freshCode() },
      { cookies },
    );
    expect(right.status).toBe(429);
    expect(right.body.code).toBe("ACCOUNT_TEMPORARILY_LOCKED");
    expect(auditOf(loose, "two_factor.locked", user.id)).toHaveLength(1);
    await mail.waitFor(user.email, "Two-factor sign-in locked");
  });

  it("counts attempts made while signed in (the step-up path) too", async () => {
    const { enrolled } = await enrolledAccount(loose, "session-guess");
    const session = { sessionToken: enrolled.sessionToken };
    for (let i = 0; i < 10; i++) {
      expect((await postAuth(loose.url, "two-factor/verify-totp", { code: "000000" }, session)).status).toBe(401);
    }
    const right = await postAuth(
      loose.url,
      "two-factor/verify-totp",
      { code: await enrolled.authenticator.freshCode() },
      session,
    );
    expect(right.status).toBe(429);
    expect(right.body.code).toBe("ACCOUNT_TEMPORARILY_LOCKED");
  });
});

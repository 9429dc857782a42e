/**
 * Account mail through a real SMTP server (MailDev, read over its REST API): verification on
 * sign-up, sign-up that does not tell whether an email has an account, and a password reset
 * whose link is single-use, expires and signs every session out.
 */

import {
  fetchJwt,
  linkIn,
  type MailCatcher,
  newUser,
  type RunningAuthServer,
  signIn,
  startAuthServer,
  startMailCatcher,
} from "@authbridge/harness";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

/** ADMIN_EMAILS entries: the local part exact, the domain in any case. */
const ADMIN_TYPED = "Boss.Admin@example.test";

let mail: MailCatcher;
let running: RunningAuthServer;
beforeAll(async () => {
  mail = await startMailCatcher();
  running = await startAuthServer({
    SMTP_URL: mail.smtpUrl,
    REQUIRE_EMAIL_VERIFICATION: "true",
    PASSWORD_RESET_TTL_SECONDS: "2",
    RATE_LIMIT_SIGN_IN_MAX: "1000",
    ADMIN_EMAILS: `${ADMIN_TYPED},kate@Example.test,unused-boss@example.test`,
  });
}, 60_000);
afterAll(async () => {
  await running?.close();
  await mail?.close();
});

const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${running.url}/api/auth${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: running.url, ...headers },
    body: JSON.stringify(body),
  });
const audits = () => running.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === "audit");

/** Signs up and follows the verification link, as the user would. */
async function verifiedUser(label: string) {
  const user = newUser(label);
  expect((await post("/sign-up/email", user)).status).toBe(200);
  const link = linkIn(await mail.waitFor(user.email, "Confirm your email"));
  expect((await fetch(link, { redirect: "manual" })).status).toBeLessThan(400);
  return user;
}

describe("email verification", () => {
  it("mails a link on sign-up; sign-in waits for it; after it the token says email_verified", async () => {
    const user = newUser("verify");
    const signedUp = await post("/sign-up/email", user);
    expect(signedUp.status).toBe(200);
    expect(((await signedUp.json()) as { token: unknown }).token).toBeNull();
    expect((await signIn(running.url, user)).status).toBe(403);

    const confirm = await mail.waitFor(user.email, "Confirm your email");
    expect(confirm.text).not.toContain("administrator");
    const link = linkIn(confirm);
    expect(link.startsWith(`${running.url}/api/auth/verify-email?token=`)).toBe(true);
    expect((await fetch(link, { redirect: "manual" })).status).toBeLessThan(400);

    const session = (await signIn(running.url, user)).headers.get("set-auth-token") as string;
    expect(decodeJwt(await fetchJwt(running.url, session)).email_verified).toBe(true);
    expect(audits()).toContainEqual(expect.objectContaining({ event: "email.verified" }));
    // The link and its token never reach the log.
    expect(running.logs.join("\n")).not.toContain(new URL(link).searchParams.get("token") as string);
  });
});

/** Keys in order, with each value's type, and the value itself where it is no id, email, name or time. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === "object") {
    return Object.entries(value).map(([key, inner]) => {
      const varies = ["id", "email", "name", "createdAt", "updatedAt"].includes(key);
      return [key, varies ? typeof inner : shapeOf(inner)];
    });
  }
  return value;
}

describe("sign-up with an email that has an account", () => {
  it("answers exactly as for a new email, and tells the owner by mail", async () => {
    const owner = await verifiedUser("owner");
    const fresh = newUser("fresh");
    const again = await post("/sign-up/email", { ...owner, password: `${fresh.password}-x` });
    const brandNew = await post("/sign-up/email", fresh);
    expect(again.status).toBe(brandNew.status);
    const [a, b] = [
      (await again.json()) as Record<string, unknown>,
      (await brandNew.json()) as Record<string, unknown>,
    ];
    // Every field in the same order with the same type, and the same value where a value is no
    // id or time: Better Auth's own synthetic answer had `"role": null` where a new user has "user".
    expect(shapeOf(a)).toEqual(shapeOf(b));
    expect(a.token).toBeNull();
    expect([...again.headers.keys()]).toEqual([...brandNew.headers.keys()]);
    await mail.waitFor(owner.email, "Someone tried to create an account");
  });
});

describe("sign-up with an ADMIN_EMAILS address", () => {
  it("answers as any sign-up (role user), and the role comes only with the verified address", async () => {
    const admin = { ...newUser("kate"), email: "kate@EXAMPLE.TEST" };
    const signedUp = await post("/sign-up/email", admin);
    const fresh = await post("/sign-up/email", newUser("plain"));
    const [a, b] = [(await signedUp.json()) as { user: { role: string } }, await fresh.json()];
    expect(a.user.role).toBe("user");
    expect(shapeOf(a)).toEqual(shapeOf(b));
    expect(audits()).not.toContainEqual(expect.objectContaining({ event: "role.changed", by: "ADMIN_EMAILS" }));

    const confirm = await mail.waitFor("kate@example.test", "Confirm your email");
    // The owner reads that confirming makes the account's password holder an administrator.
    expect(confirm.text).toContain("This address is an administrator address of this service");
    const link = linkIn(confirm);
    expect((await fetch(link, { redirect: "manual" })).status).toBeLessThan(400);
    const session = (await signIn(running.url, admin)).headers.get("set-auth-token") as string;
    expect(decodeJwt(await fetchJwt(running.url, session)).role).toBe("admin");
    expect(audits()).toContainEqual(
      expect.objectContaining({ event: "role.changed", role: "admin", by: "ADMIN_EMAILS" }),
    );
  });

  it("a sign-up typing the local part in another case never becomes admin, even once the owner verifies", async () => {
    // The attack: someone registers BOSS.ADMIN@… with their own password, the real owner clicks
    // the mail (Better Auth stores the address lower-cased, so it reaches the owner's mailbox).
    const attacker = { ...newUser("attacker"), email: ADMIN_TYPED.toUpperCase() };
    expect((await post("/sign-up/email", attacker)).status).toBe(200);
    const link = linkIn(await mail.waitFor(ADMIN_TYPED.toLowerCase(), "Confirm your email"));
    expect((await fetch(link, { redirect: "manual" })).status).toBeLessThan(400);
    const signedIn = await signIn(running.url, attacker);
    expect(signedIn.status).toBe(200);
    const claims = decodeJwt(await fetchJwt(running.url, signedIn.headers.get("set-auth-token") as string));
    expect(claims.role).toBe("user");
    expect(claims).not.toHaveProperty("permissions");
  });
});

describe("password reset", () => {
  const requestReset = (email: string) =>
    post("/request-password-reset", { email, redirectTo: `${running.url}/reset` });
  const tokenOf = (link: string) => new URL(link).pathname.split("/").at(-1) as string;

  it("mails a single-use link; completing it signs every session out", async () => {
    const user = await verifiedUser("reset");
    const sessions = await Promise.all([signIn(running.url, user), signIn(running.url, user)]);
    const tokens = sessions.map((res) => res.headers.get("set-auth-token") as string);
    expect((await requestReset(user.email)).status).toBe(200);
    const token = tokenOf(linkIn(await mail.waitFor(user.email, "Reset your password")));

    const newPassword = `${newUser("n").password}-new`;
    expect((await post("/reset-password", { token, newPassword })).status).toBe(200);
    for (const session of tokens) {
      expect(
        (await fetch(`${running.url}/api/auth/token`, { headers: { authorization: `Bearer ${session}` } })).status,
      ).toBe(401);
    }
    expect((await signIn(running.url, user)).status).toBe(401);
    expect((await signIn(running.url, { email: user.email, password: newPassword })).status).toBe(200);
    expect((await post("/reset-password", { token, newPassword: `${newPassword}-2` })).status).toBe(400);
    expect(audits()).toContainEqual(expect.objectContaining({ event: "password_reset.completed" }));
  });

  it("logs the reset link's route, never its token", async () => {
    const user = await verifiedUser("reset-log");
    await requestReset(user.email);
    const link = linkIn(await mail.waitFor(user.email, "Reset your password"));
    const token = tokenOf(link);
    // Opening the link, as the user's browser does: Better Auth redirects to the app with the token.
    expect((await fetch(link, { redirect: "manual" })).status).toBe(302);
    expect(running.logs.join("\n")).not.toContain(token);
    const lines = running.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "request", method: "GET", route: "/api/auth/reset-password/:token", status: 302 }),
    );
    // A mangled link matches no route: still nothing of it in the log.
    await fetch(`${running.url}/api/auth/reset-password/${token}/extra`, { redirect: "manual" });
    expect(running.logs.join("\n")).not.toContain(token);
    expect(lines.every((line) => !("path" in line))).toBe(true);
  });

  it("refuses a new password that contains the email's name part, as sign-up does", async () => {
    const user = await verifiedUser("resetrule");
    await requestReset(user.email);
    const token = tokenOf(linkIn(await mail.waitFor(user.email, "Reset your password")));
    const local = user.email.split("@")[0] as string;
    const refused = await post("/reset-password", { token, newPassword: `Zq9-${local.toUpperCase()}-x7` });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe("PASSWORD_CONTAINS_EMAIL");
    // The link still works for an acceptable password.
    expect((await post("/reset-password", { token, newPassword: `${newUser("ok").password}-ok` })).status).toBe(200);
  });

  it("refuses a link past PASSWORD_RESET_TTL_SECONDS, and answers an unknown email alike without a mail", async () => {
    const user = await verifiedUser("expired");
    await requestReset(user.email);
    const token = tokenOf(linkIn(await mail.waitFor(user.email, "Reset your password")));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await post("/reset-password", { token, newPassword: `${newUser("late").password}-late` })).status).toBe(
      400,
    );

    const nobody = newUser("nobody").email;
    const ctx = await running.server.auth.$context;
    const decoys = async () =>
      (await ctx.adapter.findMany<{ identifier: string; expiresAt: Date }>({ model: "verification" })).filter((row) =>
        row.identifier.startsWith("reset-password:decoy-"),
      );
    const before = (await decoys()).length;
    expect((await requestReset(nobody)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await mail.inbox(nobody)).toEqual([]);
    // It wrote a row as a real reset does (equal work), one that is expired and resets nothing.
    const written = await decoys();
    expect(written.length).toBe(before + 1);
    const decoy = written.at(-1) as { identifier: string; expiresAt: Date };
    expect(new Date(decoy.expiresAt).getTime()).toBeLessThanOrEqual(Date.now());
    const decoyToken = decoy.identifier.slice("reset-password:".length);
    expect(
      (await post("/reset-password", { token: decoyToken, newPassword: `${newUser("d").password}-d` })).status,
    ).toBe(400);
  });
});

describe("configuration", () => {
  it("production refuses to start without SMTP_URL while email verification is on", () => {
    const production = { NODE_ENV: "production", BETTER_AUTH_SECRET: "p".repeat(40) };
    expect(() => loadConfig(production)).toThrow(/SMTP_URL is required/);
    expect(loadConfig({ ...production, SMTP_URL: mail.smtpUrl }).requireEmailVerification).toBe(true);
    expect(loadConfig({ ...production, REQUIRE_EMAIL_VERIFICATION: "false" }).requireEmailVerification).toBe(false);
    expect(loadConfig({ NODE_ENV: "development" }, { dataDir: running.dataDir }).requireEmailVerification).toBe(false);
  });
});

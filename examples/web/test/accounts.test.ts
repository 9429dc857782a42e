/**
 * Account flows in Chromium, through the real mail catcher (MailDev, read over its REST API):
 * sign up → verification mail → verify → signed in; forgot password → reset mail → reset → the
 * old sessions are gone; change password → the other browser's session is gone; revoke a session
 * from the list.
 */
import { linkIn, type MailCatcher, startMailCatcher } from "@authbridge/harness";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, hasChromium, signInWith, signUpIn, startWebStack, type WebStack } from "./support.js";

if (!hasChromium) console.log(`[skip] ${CHROMIUM} not found: account browser tests skipped`);

describe.runIf(hasChromium)("account flows in Chromium", () => {
  let stack: WebStack;
  let mail: MailCatcher;
  beforeAll(async () => {
    mail = await startMailCatcher();
    stack = await startWebStack({ SMTP_URL: mail.smtpUrl, REQUIRE_EMAIL_VERIFICATION: "true" });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await mail?.close();
  });

  let serial = 0;
  const fresh = (label: string) => {
    serial += 1;
    return {
      email: `${label}-${Date.now()}-${serial}@example.test`,
      password: `Orbit-${label}-lantern-${serial}-quartz`,
    };
  };
  const contexts: BrowserContext[] = [];
  const newPage = async () => {
    const context = await stack.browser.newContext();
    contexts.push(context);
    return context.newPage();
  };
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  /** Signs up in `page` and confirms the email from the verification mail, as the user does. */
  async function verifiedAccount(page: Page, label: string) {
    const { email, password } = fresh(label);
    await signUpIn(page, stack.webUrl, label, email, password);
    await expect.poll(() => page.getByTestId("notice").textContent()).toContain("Check your inbox");
    const link = linkIn(await mail.waitFor(email, "Confirm your email"));
    await page.goto(link);
    await page.getByTestId("signed-in").waitFor();
    return { email, password };
  }

  const signedOutAfterReload = async (page: Page) => {
    await page.reload();
    await page.getByTestId("signed-out").waitFor();
    return true;
  };

  it("sign up → verification mail → verify → signed in, email confirmed", async () => {
    const page = await newPage();
    await verifiedAccount(page, "verify");
    await page.getByTestId("account").locator("summary").click();
    await expect.poll(() => page.getByTestId("verified").textContent()).toContain("confirmed");
  });

  it("forgot password → reset mail → reset → every old session is gone, the new password works", async () => {
    const first = await newPage();
    const { email } = await verifiedAccount(first, "reset");
    const other = await newPage();
    await other.goto(stack.webUrl);
    await other.getByTestId("forgot-form").getByLabel("Email").fill(email);
    await other.getByRole("button", { name: "Send a reset link" }).click();
    await expect.poll(() => other.getByTestId("notice").textContent()).toContain("reset link");
    await other.goto(linkIn(await mail.waitFor(email, "Reset your password")));
    await other.getByTestId("reset").waitFor();
    const newPassword = fresh("renewed").password;
    await other.getByTestId("reset-form").getByLabel("New password").fill(newPassword);
    await other.getByRole("button", { name: "Set password" }).click();
    await expect.poll(() => other.getByTestId("notice").textContent()).toContain("every session was signed out");
    expect(await signedOutAfterReload(first)).toBe(true);
    await signInWith(other, email, newPassword);
  });

  it("change password → the other browser's session is gone; revoke a session from the list", async () => {
    const here = await newPage();
    const { email, password } = await verifiedAccount(here, "change");
    const there = await newPage();
    await there.goto(stack.webUrl);
    await signInWith(there, email, password);

    // Revoke "there" from the list "here".
    await here.reload();
    await here.getByTestId("account").locator("summary").click();
    await expect.poll(() => here.getByTestId("session").count()).toBe(2);
    await here.getByTestId("session").getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => here.getByTestId("session").count()).toBe(1);
    expect(await signedOutAfterReload(there)).toBe(true);

    // Sign in "there" again, then change the password "here": "there" is signed out.
    await signInWith(there, email, password);
    const next = fresh("next").password;
    const form = here.getByTestId("change-password-form");
    await form.getByLabel("Current password").fill(password);
    await form.getByLabel("New password").fill(next);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => here.getByTestId("notice").textContent()).toContain("other sessions were signed out");
    expect(await signedOutAfterReload(there)).toBe(true);
    await here.reload();
    await here.getByTestId("signed-in").waitFor();
  });
});

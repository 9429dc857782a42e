/**
 * Two-factor authentication in a real browser (Debian's Chromium through playwright-core), with
 * the auth server and the FastAPI task API under MFA_REQUIRED_ROLES=admin: an admin who signed
 * in with the password sees the step-up prompt instead of the admin view, enrols from a QR code
 * (codes computed from the shown otpauth URI by `otpauth`, as an authenticator app does), is let
 * in, and the next sign-in asks for a code. A screenshot of the enrolment is saved to test-artifacts/.
 */
import path from "node:path";
import { Authenticator } from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, CHROMIUM, hasChromium, signUpIn, startWebStack, type WebStack } from "./support.js";

if (!hasChromium) console.log(`[skip] ${CHROMIUM} not found (apt-get install -y chromium): browser test skipped`);

describe.runIf(hasChromium)("two-factor authentication in Chromium", () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack({ MFA_REQUIRED_ROLES: "admin" }, { MFA_REQUIRED_ROLES: "admin" });
  }, 120_000);
  afterAll(async () => stack?.close());

  it("an admin steps up by enrolling from a QR code, is let in, and signs in with a code next time", async () => {
    const context = await stack.browser.newContext();
    try {
      const page = await context.newPage();
      const email = `erin-${Date.now()}@example.test`;
      const password = "Erin-correct-horse-battery";
      await signUpIn(page, stack.webUrl, "Erin", email, password);
      await page.getByTestId("signed-in").waitFor();
      await stack.auth.setRole(email, "admin");
      await page.reload();

      // The API answered 401 insufficient_user_authentication: a prompt, not the admin view.
      await page.getByTestId("step-up").waitFor();
      expect(await page.getByTestId("admin").isHidden()).toBe(true);
      await expect.poll(() => page.getByTestId("step-up-enrol").isVisible()).toBe(true);

      await page.getByTestId("account").locator("summary").click();
      const enable = page.getByTestId("enable-2fa-form");
      await enable.getByLabel("Password").fill(password);
      await enable.getByRole("button", { name: "Turn on two-factor authentication" }).click();
      await page.getByTestId("enrol").waitFor();
      // A real QR code image of the otpauth URI, and the setup key for typing.
      expect(await page.getByTestId("totp-qr").getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      const uri = (await page.getByTestId("totp-uri").textContent()) ?? "";
      expect(uri).toMatch(/^otpauth:\/\/totp\/authbridge:/);
      expect(await page.getByTestId("totp-key").textContent()).toBe(new URL(uri).searchParams.get("secret"));
      expect(await page.getByTestId("backup-codes").locator("li").count()).toBe(10);
      await page.screenshot({ path: path.join(artifacts, "web-two-factor-enrolment.png"), fullPage: true });

      const authenticator = new Authenticator(uri);
      const confirm = page.getByTestId("confirm-2fa-form");
      await confirm.getByLabel("First code from the app").fill(await authenticator.freshCode());
      await confirm.getByRole("button", { name: "Confirm" }).click();
      await expect.poll(() => page.getByTestId("notice").textContent()).toContain("Two-factor authentication is on");

      // The same admin, now with a second factor: the admin view, no prompt.
      await page.getByTestId("admin").waitFor();
      expect(await page.getByTestId("step-up").isHidden()).toBe(true);
      await expect.poll(() => page.getByTestId("two-factor-state").textContent()).toContain("is on");

      await page.getByTestId("sign-out").click();
      await page.getByTestId("signed-out").waitFor();
      const form = page.getByTestId("sign-in-form");
      await form.getByLabel("Email").fill(email);
      await form.getByLabel("Password").fill(password);
      await form.getByRole("button", { name: "Sign in" }).click();
      const second = page.getByTestId("second-factor-form");
      await second.waitFor();
      expect(await page.getByTestId("signed-in").isHidden()).toBe(true);
      await second.getByLabel(/Code from your authenticator app/).fill(await authenticator.freshCode());
      await second.getByRole("button", { name: "Verify" }).click();
      await page.getByTestId("signed-in").waitFor();
      await page.getByTestId("admin").waitFor();
      expect(await page.getByTestId("step-up").isHidden()).toBe(true);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("a user without the role never sees the prompt", async () => {
    const context = await stack.browser.newContext();
    try {
      const page = await context.newPage();
      const email = `finn-${Date.now()}@example.test`;
      await signUpIn(page, stack.webUrl, "Finn", email, "Finn-correct-horse-battery");
      await page.getByTestId("signed-in").waitFor();
      await page.getByTestId("task").count();
      expect(await page.getByTestId("step-up").isHidden()).toBe(true);
      expect(await page.getByTestId("admin").isHidden()).toBe(true);
    } finally {
      await context.close();
    }
  });
});

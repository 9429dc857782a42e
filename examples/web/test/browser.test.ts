/**
 * The whole flow in a real browser (Debian's Chromium through playwright-core): two users in
 * two browser contexts sign up through Better Auth's client, each manages tasks on the FastAPI
 * task API with the JWT, each sees only its own; signing out removes access; an admin (by
 * ADMIN_EMAILS once the address is verified through the mail, or promoted with users:set-role)
 * gets the admin view. Screenshots of the task
 * list and the admin view are saved to test-artifacts/.
 */
import fs from "node:fs";
import path from "node:path";
import { linkIn, type MailCatcher, requestClientToken, startMailCatcher } from "@authbridge/harness";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, CHROMIUM, hasChromium, startWebStack, type WebStack } from "./support.js";

if (!hasChromium) console.log(`[skip] ${CHROMIUM} not found (apt-get install -y chromium): browser test skipped`);

const BOSS_EMAIL = `boss-${Date.now()}@example.test`;

describe.runIf(hasChromium)("demo frontend in Chromium", () => {
  let stack: WebStack;
  let mail: MailCatcher;
  beforeAll(async () => {
    mail = await startMailCatcher();
    stack = await startWebStack({ ADMIN_EMAILS: BOSS_EMAIL, SMTP_URL: mail.smtpUrl });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await mail?.close();
  });

  async function signUp(page: Page, name: string, email = `${name.toLowerCase()}-${Date.now()}@example.test`) {
    await page.goto(stack.webUrl);
    await page.getByTestId("signed-out").waitFor();
    const form = page.getByTestId("sign-up-form");
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Password").fill(`${name}-correct-horse-battery`);
    await form.getByRole("button", { name: "Sign up" }).click();
    await page.getByTestId("signed-in").waitFor();
    await expect.poll(() => page.getByTestId("who").textContent()).toContain(name);
    return email;
  }

  async function addTask(page: Page, title: string): Promise<void> {
    const before = await page.getByTestId("task").count();
    await page.getByLabel("Task title").fill(title);
    await page.getByRole("button", { name: "Add" }).click();
    await expect.poll(() => page.getByTestId("task").count()).toBe(before + 1);
  }

  const titles = (page: Page) => page.getByTestId("task").locator("span").allTextContents();

  it("two users each see only their own tasks; signing out removes access", async () => {
    const ada = await stack.browser.newContext();
    const bob = await stack.browser.newContext();
    try {
      const adaPage = await ada.newPage();
      const bobPage = await bob.newPage();
      await signUp(adaPage, "Ada");
      await signUp(bobPage, "Bob");

      await addTask(adaPage, "Ada writes the docs");
      await addTask(adaPage, "Ada reviews the contract");
      await addTask(bobPage, "Bob fixes the build");

      expect(await titles(adaPage)).toEqual(["Ada writes the docs", "Ada reviews the contract"]);
      expect(await titles(bobPage)).toEqual(["Bob fixes the build"]);
      await bobPage.reload();
      await bobPage.getByTestId("signed-in").waitFor();
      await expect.poll(() => titles(bobPage)).toEqual(["Bob fixes the build"]);

      // Complete one task and delete another through the API.
      await adaPage.getByLabel("Complete Ada writes the docs").check();
      await expect.poll(() => adaPage.locator("li.done span").allTextContents()).toEqual(["Ada writes the docs"]);
      await addTask(adaPage, "Ada deletes this");
      await adaPage
        .getByTestId("task")
        .filter({ hasText: "Ada deletes this" })
        .getByRole("button", { name: "Delete" })
        .click();
      await expect.poll(() => titles(adaPage)).toEqual(["Ada writes the docs", "Ada reviews the contract"]);
      expect(await adaPage.getByTestId("error").isHidden()).toBe(true);

      fs.mkdirSync(artifacts, { recursive: true });
      await adaPage.screenshot({ path: path.join(artifacts, "web-task-list.png"), fullPage: true });
      expect(fs.statSync(path.join(artifacts, "web-task-list.png")).size).toBeGreaterThan(1000);

      await adaPage.getByTestId("sign-out").click();
      await adaPage.getByTestId("signed-out").waitFor();
      expect(await adaPage.getByTestId("task").count()).toBe(0);
      const tokenStatus = await adaPage.evaluate(
        async (authUrl) => (await fetch(`${authUrl}/api/auth/token`, { credentials: "include" })).status,
        stack.auth.url,
      );
      expect(tokenStatus).toBe(401);
      // Bob is unaffected.
      await bobPage.reload();
      await expect.poll(() => titles(bobPage)).toEqual(["Bob fixes the build"]);
    } finally {
      await ada.close();
      await bob.close();
    }
  });

  it("an admin sees and deletes every user's tasks; a user promoted with users:set-role gets the view on the next token", async () => {
    const dora = await stack.browser.newContext();
    const boss = await stack.browser.newContext();
    try {
      const doraPage = await dora.newPage();
      const doraEmail = await signUp(doraPage, "Dora");
      await addTask(doraPage, "Dora's first plan");
      await addTask(doraPage, "Dora's second plan");
      // Give the page time to ask /api/me: a plain user's token has no admin role.
      await expect.poll(() => doraPage.getByTestId("admin").isHidden()).toBe(true);

      const bossPage = await boss.newPage();
      await signUp(bossPage, "Boss", BOSS_EMAIL);
      // ADMIN_EMAILS makes no admin of an unverified address: the role comes with the mail's link.
      await expect.poll(() => bossPage.getByTestId("admin").isHidden()).toBe(true);
      const link = linkIn(await mail.waitFor(BOSS_EMAIL, "Confirm your email"));
      expect((await fetch(link, { redirect: "manual" })).status).toBeLessThan(400);
      await bossPage.reload();
      await bossPage.getByTestId("admin").waitFor();
      const adminTitles = () => bossPage.getByTestId("admin-task").locator("span").allTextContents();
      await expect.poll(adminTitles).toEqual(expect.arrayContaining(["Dora's first plan", "Dora's second plan"]));
      expect(await bossPage.getByTestId("admin-user").count()).toBeGreaterThanOrEqual(1);
      fs.mkdirSync(artifacts, { recursive: true });
      await bossPage.screenshot({ path: path.join(artifacts, "web-admin-view.png"), fullPage: true });

      await bossPage
        .getByTestId("admin-task")
        .filter({ hasText: "Dora's first plan" })
        .getByRole("button", { name: "Delete" })
        .click();
      await expect.poll(adminTitles).not.toContain("Dora's first plan");
      await doraPage.reload();
      await expect.poll(() => titles(doraPage)).toEqual(["Dora's second plan"]);
      expect(await doraPage.getByTestId("admin").isHidden()).toBe(true);

      // Machine clients: created in the page, the secret shown once and working at once.
      const clientForm = bossPage.getByTestId("client-form");
      await clientForm.getByLabel("Client name").fill("Nightly report");
      await clientForm.getByLabel("users:list").check();
      await clientForm.getByRole("button", { name: "Create client" }).click();
      const secretBox = bossPage.getByTestId("client-secret-value");
      await expect.poll(() => secretBox.textContent()).toMatch(/^abcs_[A-Za-z0-9_-]{43}$/);
      const row = bossPage.getByTestId("client").filter({ hasText: "Nightly report" });
      await expect.poll(() => row.textContent()).toContain("tasks:read:any users:list");
      const clientId = (await row.getAttribute("data-client-id")) as string;
      const first = { client_id: clientId, client_secret: (await secretBox.textContent()) as string };
      expect((await requestClientToken(stack.auth.url, first)).status).toBe(200);
      await row.getByRole("button", { name: "Rotate secret" }).click();
      await expect.poll(() => secretBox.textContent()).not.toBe(first.client_secret);
      const second = { client_id: clientId, client_secret: (await secretBox.textContent()) as string };
      expect((await requestClientToken(stack.auth.url, first)).status).toBe(401);
      expect((await requestClientToken(stack.auth.url, second)).status).toBe(200);
      await bossPage.screenshot({ path: path.join(artifacts, "web-admin-clients.png"), fullPage: true });
      await row.getByRole("button", { name: "Revoke" }).click();
      await expect.poll(() => row.textContent()).toContain("revoked");
      expect((await requestClientToken(stack.auth.url, second)).status).toBe(401);

      // Promoted by an operator; a reload fetches a new token, which carries the role.
      await stack.auth.setRole(doraEmail, "admin");
      await doraPage.reload();
      await doraPage.getByTestId("admin").waitFor();
      await expect.poll(() => doraPage.getByTestId("admin-task").count()).toBeGreaterThanOrEqual(1);
    } finally {
      await dora.close();
      await boss.close();
    }
  });

  it("fetches a new JWT and retries once when the API answers 401, and refreshes ahead of expiry", async () => {
    const context = await stack.browser.newContext();
    try {
      const page = await context.newPage();
      await page.clock.install();
      const tokenFetches: string[] = [];
      page.on("request", (request) => {
        if (request.url() === `${stack.auth.url}/api/auth/token`) tokenFetches.push(request.url());
      });
      await signUp(page, "Cleo");
      await addTask(page, "Cleo survives a 401");
      const fetchesBefore = tokenFetches.length;

      // The API refuses the next list once, as it would a token signed by a key it no longer trusts.
      let refused = 0;
      const sentTokens: string[] = [];
      await page.route(`${stack.apiUrl}/api/tasks?limit=100`, async (route) => {
        sentTokens.push(route.request().headers().authorization ?? "");
        if (refused === 0) {
          refused += 1;
          await route.fulfill({
            status: 401,
            headers: {
              "content-type": "application/json",
              "access-control-allow-origin": stack.webUrl,
              "access-control-allow-credentials": "true",
              "www-authenticate":
                'Bearer realm="api", error="invalid_token", error_description="The token was signed by an unknown key"',
            },
            body: JSON.stringify({ detail: "The token was signed by an unknown key", code: "unknown_key" }),
          });
          return;
        }
        await route.continue();
      });
      await page.reload();
      await page.getByTestId("signed-in").waitFor();
      await expect.poll(() => titles(page)).toEqual(["Cleo survives a 401"]);
      expect(refused).toBe(1);
      expect(sentTokens).toHaveLength(2);
      expect(tokenFetches.length).toBeGreaterThan(fetchesBefore);
      expect(await page.getByTestId("error").isHidden()).toBe(true);
      await page.unrouteAll();

      // Fifteen minutes later the token is about to expire: the app has already fetched a new one.
      const beforeRefresh = tokenFetches.length;
      await page.clock.fastForward("14:30");
      await expect.poll(() => tokenFetches.length).toBeGreaterThan(beforeRefresh);
    } finally {
      await context.close();
    }
  });
});

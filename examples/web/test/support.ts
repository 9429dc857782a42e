/**
 * The demo as a user runs it, for browser tests: the real auth server (in process), the FastAPI
 * task API (uvicorn) and the Vite dev server on free loopback ports, and Debian's Chromium
 * through playwright-core.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  freePort,
  ROOT,
  type RunningAuthServer,
  type Service,
  startAuthServer,
  startServices,
  uvicornCommand,
  viteCommand,
} from "@authbridge/harness";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = fs.existsSync(CHROMIUM);
export const artifacts = path.join(ROOT, "test-artifacts");

export interface WebStack {
  auth: RunningAuthServer;
  browser: Browser;
  webUrl: string;
  apiUrl: string;
  close(): Promise<void>;
}

/**
 * `authEnv` is layered over the auth server's test environment (the frontend's origin is
 * trusted), `apiEnv` over the task API's.
 */
export async function startWebStack(
  authEnv: Record<string, string> = {},
  apiEnv: Record<string, string> = {},
): Promise<WebStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-web-"));
  const [webPort, apiPort] = [await freePort(), await freePort()];
  const webUrl = `http://127.0.0.1:${webPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const auth = await startAuthServer({ TRUSTED_ORIGINS: webUrl, LOG_LEVEL: "warn", ...authEnv });
  let services: Service[] = [];
  const stopAll = async () => {
    await Promise.all(services.map((service) => service.stop()));
    await auth.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    services = await startServices([
      {
        name: "uvicorn",
        ...uvicornCommand(apiPort, { logLevel: "warning" }),
        env: {
          AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`,
          AUTH_REVOCATION_URL: `${auth.url}/api/auth/revocations`,
          AUTH_ISSUER: auth.url,
          AUTH_AUDIENCE: auth.url,
          CORS_ORIGINS: webUrl,
          TASKS_DATABASE_URL: `sqlite:///${path.join(dataDir, "tasks.sqlite")}`,
          ...apiEnv,
        },
        readyUrl: `${apiUrl}/health`,
      },
      {
        name: "vite",
        ...viteCommand(webPort),
        env: { VITE_AUTH_URL: auth.url, VITE_API_URL: apiUrl },
        readyUrl: webUrl,
      },
    ]);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    auth,
    browser,
    webUrl,
    apiUrl,
    close: async () => {
      await browser.close();
      await stopAll();
    },
  };
}

/** Fills and submits the sign-up form; resolves once the page answered (signed in, or a notice). */
export async function signUpIn(page: Page, webUrl: string, name: string, email: string, password: string) {
  await page.goto(webUrl);
  await page.getByTestId("signed-out").waitFor();
  const form = page.getByTestId("sign-up-form");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign up" }).click();
}

export async function signInWith(page: Page, email: string, password: string) {
  const form = page.getByTestId("sign-in-form");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in").waitFor();
}

export { expect };

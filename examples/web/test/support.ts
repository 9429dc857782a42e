/**
 * The demo as a user runs it, for browser tests: the real auth server (in process), the FastAPI
 * task API (uvicorn) and the Vite dev server on free loopback ports, and Debian's Chromium
 * through playwright-core.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, type RunningAuthServer, startAuthServer } from "@authbridge/auth-server/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = fs.existsSync(CHROMIUM);
const root = path.resolve(import.meta.dirname, "../../..");
export const artifacts = path.join(root, "test-artifacts");

export interface WebStack {
  auth: RunningAuthServer;
  browser: Browser;
  webUrl: string;
  apiUrl: string;
  close(): Promise<void>;
}

function launch(children: ChildProcess[], cmd: string, args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.resume();
  child.stderr?.resume();
  children.push(child);
  return child;
}

async function waitFor(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer at ${url}`);
}

/** `authEnv` is layered over the auth server's test environment (the frontend's origin is trusted). */
export async function startWebStack(authEnv: Record<string, string> = {}): Promise<WebStack> {
  const children: ChildProcess[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-web-"));
  const [webPort, apiPort] = [await freePort(), await freePort()];
  const webUrl = `http://127.0.0.1:${webPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const auth = await startAuthServer({ TRUSTED_ORIGINS: webUrl, LOG_LEVEL: "warn", ...authEnv });
  const api = launch(
    children,
    path.join(root, "python-backend", ".venv", "bin", "uvicorn"),
    ["task_api.main:app", "--host", "127.0.0.1", "--port", String(apiPort), "--log-level", "warning"],
    path.join(root, "python-backend"),
    {
      AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`,
      AUTH_ISSUER: auth.url,
      AUTH_AUDIENCE: auth.url,
      CORS_ORIGINS: webUrl,
      TASKS_DATABASE_URL: `sqlite:///${path.join(dataDir, "tasks.sqlite")}`,
    },
  );
  const web = launch(
    children,
    process.execPath,
    [
      path.join(root, "node_modules", "vite", "bin", "vite.js"),
      "--host",
      "127.0.0.1",
      "--port",
      String(webPort),
      "--strictPort",
    ],
    path.join(root, "examples", "web"),
    { VITE_AUTH_URL: auth.url, VITE_API_URL: apiUrl },
  );
  await Promise.all([waitFor(`${apiUrl}/health`, api, "uvicorn"), waitFor(webUrl, web, "vite")]);
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
      for (const child of children) child.kill("SIGTERM");
      await auth.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
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

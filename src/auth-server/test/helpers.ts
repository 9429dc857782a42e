/**
 * Test harness: a real auth server on a loopback port with its own data directory, plus
 * small clients that sign users up and fetch tokens the way a frontend does.
 */
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import pg from "pg";
import { type AuthServer, createAuthServer } from "../src/app.js";
import { loadConfig } from "../src/config.js";

export interface RunningAuthServer {
  url: string;
  server: AuthServer;
  logs: string[];
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1:0. `env` is layered over a test default environment. */
export async function startAuthServer(env: Record<string, string> = {}): Promise<RunningAuthServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-auth-"));
  const logs: string[] = [];
  // The port is only known after listening, so baseURL is fixed up front on a port we reserve.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    { NODE_ENV: "test", BETTER_AUTH_URL: url, LOG_LEVEL: "debug", PORT: String(port), ...env },
    { dataDir },
  );
  const server = await createAuthServer(config, { logSink: (line) => logs.push(line) });
  const http = serve({ fetch: server.app.fetch, hostname: "127.0.0.1", port });
  await new Promise<void>((resolve) => http.once("listening", () => resolve()));
  return {
    url,
    server,
    logs,
    dataDir,
    close: async () => {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        (http as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

let counter = 0;
export function newUser(prefix = "user") {
  counter += 1;
  const id = `${prefix}-${process.pid}-${Date.now()}-${counter}`;
  return { email: `${id}@example.test`, password: `pw-${id}-long-enough`, name: `Test ${prefix} ${counter}` };
}

export interface SignedIn {
  sessionToken: string;
  userId: string;
}

export async function signUp(url: string, user: ReturnType<typeof newUser>): Promise<SignedIn> {
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify(user),
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string } };
  return { sessionToken: body.token, userId: body.user.id };
}

export async function signIn(url: string, user: { email: string; password: string }): Promise<Response> {
  return fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
}

export async function fetchJwt(url: string, sessionToken: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  if (res.status !== 200) throw new Error(`token fetch failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Creates a throw-away PostgreSQL database on `TEST_DATABASE_URL`'s server, so runs never
 * share tables or keys. Returns `undefined` when PostgreSQL is not configured.
 */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return undefined;
  const name = `authbridge_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const POSTGRES_SKIP_NOTE = "TEST_DATABASE_URL is not set: PostgreSQL variants are skipped";

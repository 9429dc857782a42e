/**
 * The real auth server, in process: started from its app factory so the suite can mint tokens
 * with the real signing key (`auth.api.signJWT`, server-only; no signing endpoint exists), and
 * so its HTTP listener can be stopped and restarted on the same port for the outage test.
 */
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import { type AuthServer, createAuthServer } from "../../src/auth-server/src/app.js";
import { loadConfig } from "../../src/auth-server/src/config.js";
import { rotateSigningKey } from "../../src/auth-server/src/keys.js";

export const AUDIENCE = "task-api";

export interface AuthHandle {
  /** Origin and issuer, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  readonly server: AuthServer;
  /** Signs a payload with the live signing key; iss/aud default to the server's. */
  sign(payload: Record<string, unknown>): Promise<string>;
  rotate(): Promise<string>;
  stopListening(): Promise<void>;
  startListening(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `host` is 0.0.0.0 for the container runtime, so containers can reach the host port. */
export async function startAuth(host = "127.0.0.1"): Promise<AuthHandle> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-contract-"));
  const port = await freePort(host);
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    {
      NODE_ENV: "test",
      BETTER_AUTH_URL: url,
      JWT_AUDIENCE: AUDIENCE,
      LOG_LEVEL: "error",
      // The suite signs up dozens of users from one address in seconds.
      RATE_LIMIT_SIGN_IN_MAX: "100000",
      RATE_LIMIT_MAX: "100000",
      JWKS_MAX_AGE_SECONDS: "300",
    },
    { dataDir },
  );
  const server = await createAuthServer(config, { logSink: () => {} });
  let http: Server | undefined;
  const listen = async () => {
    http = serve({ fetch: server.app.fetch, hostname: host, port }) as Server;
    await new Promise<void>((resolve, reject) => {
      http?.once("listening", () => resolve());
      http?.once("error", reject);
    });
  };
  const unlisten = async () => {
    const current = http;
    http = undefined;
    if (!current) return;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  };
  await listen();
  return {
    url,
    port,
    server,
    sign: async (payload) => (await server.auth.api.signJWT({ body: { payload } })).token,
    rotate: async () => (await rotateSigningKey(server.auth, server.config)).kid,
    stopListening: unlisten,
    startListening: listen,
    close: async () => {
      await unlisten();
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface User {
  id: string;
  email: string;
  name: string;
  sessionToken: string;
  jwt: string;
}

let counter = 0;

/** Signs a user up through the auth server's HTTP API and fetches a JWT, as a frontend does. */
export async function signUpUser(authUrl: string, label: string): Promise<User> {
  counter += 1;
  const unique = `${label}-${process.pid}-${Date.now()}-${counter}`;
  const email = `${unique}@example.test`;
  const name = `Contract ${label}`;
  const res = await fetch(`${authUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: new URL(authUrl).origin },
    body: JSON.stringify({ email, name, password: `pw-${unique}-long-enough` }),
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string } };
  const jwt = await fetchJwt(authUrl, body.token);
  return { id: body.user.id, email, name, sessionToken: body.token, jwt };
}

export async function fetchJwt(authUrl: string, sessionToken: string): Promise<string> {
  const res = await fetch(`${authUrl}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  if (res.status !== 200) throw new Error(`token fetch failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * `@authbridge/auth-server/testing`: the one test harness every suite uses. A real auth server
 * in process on a free loopback port with its own data directory (so a test can mint tokens
 * with the real signing key, rotate it, or take the listener down for an outage), and clients
 * that sign users up and fetch JWTs the way a frontend does.
 *
 * @example
 * const auth = await startAuthServer({ JWT_AUDIENCE: "task-api" });
 * const alice = await signUpUser(auth.url, "alice");   // alice.jwt is a real EdDSA JWT
 * await auth.close();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import pg from "pg";
import { type AuthServer, createAuthServer } from "./app.js";
import { loadConfig } from "./config.js";
import { setUserRole } from "./users.js";

/**
 * A free TCP port on `host` for a server that listens a moment later. Chosen at random below
 * Linux's ephemeral range (32768+), where no outgoing connection of a busy test run can take it
 * in the meantime; checked by binding it, then released.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canBind(host, port)) return port;
  }
  return bindAny(host);
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

function bindAny(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningAuthServer {
  /** Origin and issuer, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  readonly server: AuthServer;
  /** Every JSON log line the server wrote. */
  readonly logs: string[];
  readonly dataDir: string;
  /** Signs a payload with the live signing key (server-only API); iss/aud default to the server's. */
  sign(payload: Record<string, unknown>): Promise<string>;
  /** Introduces a new signing key now; returns its kid. */
  rotate(): Promise<string>;
  /** Removes a key from the JWKS now (as `npm run keys:revoke` does). */
  revoke(kid: string): Promise<void>;
  /** Gives the account with `email` a role ("admin", or a comma list), as `users:set-role` does. */
  setRole(email: string, role: string): Promise<void>;
  /** Closes the HTTP listener (an outage) while the server and its data stay. */
  stopListening(): Promise<void>;
  startListening(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1. `env` is layered over a test default environment. */
export async function startAuthServer(env: Record<string, string> = {}): Promise<RunningAuthServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-auth-"));
  const logs: string[] = [];
  // baseURL (and so the issuer) must be known before Better Auth is built: listen first, on a
  // port the OS picks and this server holds from then on (a port merely probed as free can be
  // taken by another process's connection in the second it takes to build the server).
  let handle: ReturnType<typeof getRequestListener> | undefined;
  const onRequest: http.RequestListener = (req, res) => {
    if (handle) void handle(req, res);
    else res.writeHead(503).end();
  };
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const created = http.createServer(onRequest);
      created.once("error", reject);
      created.listen(port, "127.0.0.1", () => resolve(created));
    });
  let listener: Server | undefined = await listen(0);
  const port = (listener.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    { NODE_ENV: "test", BETTER_AUTH_URL: url, LOG_LEVEL: "debug", PORT: String(port), ...env },
    { dataDir },
  );
  let server: AuthServer;
  try {
    server = await createAuthServer(config, { logSink: (line) => logs.push(line) });
  } catch (error) {
    listener.close();
    throw error;
  }
  handle = getRequestListener(server.app.fetch);
  const startListening = async () => {
    listener ??= await listen(port);
  };
  const stopListening = async () => {
    const current = listener;
    listener = undefined;
    if (!current) return;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  };
  return {
    url,
    port,
    server,
    logs,
    dataDir,
    sign: async (payload) => (await server.auth.api.signJWT({ body: { payload } })).token,
    rotate: async () => (await server.rotateKey()).kid,
    revoke: async (kid) => {
      await server.revokeKey(kid);
    },
    setRole: async (email, role) => {
      await setUserRole(server.auth, server.log, email, role);
    },
    stopListening,
    startListening,
    close: async () => {
      await stopListening();
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SpawnedAuthServer {
  /** Where this process listens (its issuer may be another, shared origin). */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  /** Everything the process wrote to stdout. */
  stdout(): string;
  /** Stops the process: SIGTERM (clean) or SIGKILL (a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../../..");

/**
 * The auth server as its own process (`src/main.ts`, as `npm start` runs it) on a free loopback
 * port, ready when `/readyz` answers 200: for replica tests, several on one database.
 */
export async function spawnAuthServer(env: Record<string, string>): Promise<SpawnedAuthServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // One process (tsx as a loader, not its CLI, which would fork a child): a kill reaches the server.
  const child = spawn(process.execPath, ["--import", "tsx", "src/auth-server/src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, BETTER_AUTH_URL: url, LOG_LEVEL: "warn", ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    keep(chunk);
  });
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`auth server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`auth server not ready at ${url} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    stdout: () => stdout,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface CaughtMail {
  subject: string;
  text: string;
  to: { address: string }[];
}

export interface MailCatcher {
  /** For the auth server's `SMTP_URL`. */
  readonly smtpUrl: string;
  /** MailDev's web inbox and REST API. */
  readonly webUrl: string;
  /** The mails sent to `to` so far, oldest first. */
  inbox(to: string): Promise<CaughtMail[]>;
  /** The first mail to `to` whose subject contains `subject`, waiting for it to arrive. */
  waitFor(to: string, subject: string, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
}

/** A real SMTP server that keeps what it receives (MailDev, as `npm start` runs it), on free loopback ports. */
export async function startMailCatcher(): Promise<MailCatcher> {
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "maildev", "dist", "bin", "maildev.js"),
      "--ip",
      "127.0.0.1",
      "--web-ip",
      "127.0.0.1",
      "-s",
      String(smtpPort),
      "-w",
      String(webPort),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const webUrl = `http://127.0.0.1:${webPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`maildev exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${webUrl}/api/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("maildev did not start within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const inbox = async (to: string) => {
    const all = (await (await fetch(`${webUrl}/api/email`)).json()) as CaughtMail[];
    return all.filter((mail) => mail.to.some((recipient) => recipient.address.toLowerCase() === to.toLowerCase()));
  };
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl,
    inbox,
    waitFor: async (to, subject, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = (await inbox(to)).find((mail) => mail.subject.includes(subject));
        if (found) return found;
        if (Date.now() > until) throw new Error(`no mail to ${to} about "${subject}" within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The first http(s) link in a mail's text. */
export function linkIn(mail: CaughtMail): string {
  const match = /https?:\/\/\S+/.exec(mail.text);
  if (!match) throw new Error(`no link in the mail "${mail.subject}"`);
  return match[0];
}

export interface Reply {
  status: number;
  headers: import("node:http").IncomingHttpHeaders;
  body: string;
}

/**
 * A JSON POST from a chosen local address (`fetch` cannot choose one): each loopback address
 * is its own client for the rate limits. `Origin` is the target's unless `headers` say otherwise.
 */
export function postFrom(
  localAddress: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const target = new URL(url);
    const payload = JSON.stringify(body);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        localAddress,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          origin: target.origin,
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

let counter = 0;

/** Credentials nobody else in this run uses. */
export function newUser(prefix = "user") {
  counter += 1;
  const id = `${prefix}-${process.pid}-${Date.now()}-${counter}`;
  // Strong (account-rules.ts), and free of the email's name part.
  const password = `Vault-${randomBytes(12).toString("base64url")}-key`;
  return { email: `${id}@example.test`, password, name: `Test ${prefix} ${counter}` };
}

export interface SignedIn {
  sessionToken: string;
  userId: string;
}

export async function signUp(url: string, user: ReturnType<typeof newUser>): Promise<SignedIn> {
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: new URL(url).origin },
    body: JSON.stringify(user),
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  // The signed session token (`token.signature`), as the bearer plugin requires it.
  const sessionToken = res.headers.get("set-auth-token");
  if (!sessionToken) throw new Error("sign-up answered without a set-auth-token header");
  return { sessionToken, userId: body.user.id };
}

export async function signIn(url: string, user: { email: string; password: string }): Promise<Response> {
  return fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: new URL(url).origin },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
}

export async function fetchJwt(url: string, sessionToken: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  if (res.status !== 200) throw new Error(`token fetch failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export interface User {
  id: string;
  email: string;
  name: string;
  sessionToken: string;
  jwt: string;
}

/** Signs a new user up through the HTTP API and fetches a JWT, as a frontend does. */
export async function signUpUser(url: string, label = "user"): Promise<User> {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(url, user);
  return { id: userId, email: user.email, name: user.name, sessionToken, jwt: await fetchJwt(url, sessionToken) };
}

/**
 * A throw-away PostgreSQL database on `TEST_DATABASE_URL`'s server, so runs never share tables
 * or keys; `undefined` when PostgreSQL is not configured.
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

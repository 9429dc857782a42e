/**
 * The real auth server for a test: in this process (so a test can sign with the live key, rotate
 * it, or take the listener down for an outage) or as its own process, as `npm start` runs it.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http, { type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { type AuthServer, createAuthServer } from "@authbridge/auth-server/app";
import { contextOf } from "@authbridge/auth-server/auth";
import { createClient } from "@authbridge/auth-server/clients";
import { loadConfig } from "@authbridge/auth-server/config";
import { setUserRole } from "@authbridge/auth-server/users";
import { getRequestListener } from "@hono/node-server";
import type { IssuedClient } from "./clients.js";
import { authServerCommand } from "./commands.js";
import { freePort, listenOn, listenOnFreePort } from "./ports.js";
import { type Service, startService } from "./service.js";

export interface RunningAuthServer {
  /** Origin and issuer, e.g. http://127.0.0.1:21234. */
  readonly url: string;
  readonly port: number;
  readonly server: AuthServer;
  /** Every JSON log line the server wrote. */
  readonly logs: string[];
  readonly dataDir: string;
  /** The environment a CLI (`clients:*`, `users:set-role`) needs to act on this server's database. */
  readonly cliEnv: Record<string, string>;
  /** A machine client made as `npm run clients:create` makes one (in process): its id and secret. */
  createClient(name: string, scope: string): Promise<IssuedClient>;
  /**
   * Signs a payload with the live signing key; iss/aud default to the server's, and a user
   * payload (no `client_id`) gets a random `sid` unless it names one. With `header`
   * (such as `{ typ: "at+jwt" }`) the header is set too and exp defaults to 15 minutes ahead.
   */
  sign(payload: Record<string, unknown>, header?: { typ?: string }): Promise<string>;
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

/**
 * The auth server in this process on 127.0.0.1 with its own data directory. `env` is layered
 * over a test default environment.
 *
 * @example
 * const auth = await startAuthServer({ JWT_AUDIENCE: "task-api" });
 * const alice = await signUpUser(auth.url, "alice"); // alice.jwt is a real EdDSA JWT
 * await auth.close();
 */
export async function startAuthServer(env: Record<string, string> = {}): Promise<RunningAuthServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-auth-"));
  const logs: string[] = [];
  // baseURL (and so the issuer) must be known before Better Auth is built: listen first, and
  // answer 503 until the server is ready.
  let handle: ReturnType<typeof getRequestListener> | undefined;
  const onRequest: http.RequestListener = (req, res) => {
    if (handle) void handle(req, res);
    else res.writeHead(503).end();
  };
  const listen = (port: number) => listenOn(http.createServer(onRequest), port);
  const first = await listenOnFreePort(listen);
  let listener: Server | undefined = first.value;
  const port = first.port;
  const url = `http://127.0.0.1:${port}`;
  let server: AuthServer;
  const configEnv = { NODE_ENV: "test", BETTER_AUTH_URL: url, LOG_LEVEL: "debug", PORT: String(port), ...env };
  try {
    const config = loadConfig(configEnv, { dataDir });
    server = await createAuthServer(config, { logSink: (line) => logs.push(line) });
  } catch (error) {
    listener.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  handle = getRequestListener(server.app.fetch);
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
    cliEnv: { ...configEnv, DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    createClient: async (name, scope) =>
      createClient((await contextOf(server.auth)).adapter, { name, scope }, { log: server.log, by: "cli" }),
    sign: async (given, header) => {
      // A user token names its session as the server's own do (a client's never does).
      const payload =
        "client_id" in given || "sid" in given ? given : { sid: randomBytes(16).toString("base64url"), ...given };
      if (!header) return (await server.auth.api.signJWT({ body: { payload } })).token;
      const iat = Math.floor(Date.now() / 1000);
      const { issuer, audience } = server.config.jwt;
      const claims = { iss: issuer, aud: audience as string | string[], iat, exp: iat + 900, ...payload };
      return server.signer.signWith(await contextOf(server.auth), claims, header);
    },
    rotate: async () => (await server.rotateKey()).kid,
    revoke: async (kid) => {
      await server.revokeKey(kid);
    },
    setRole: async (email, role) => {
      await setUserRole(server.auth, server.log, email, role);
    },
    stopListening,
    startListening: async () => {
      listener ??= await listen(port);
    },
    close: async () => {
      await stopListening();
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SpawnedAuthServer extends Service {
  /** Where this process listens (its issuer may be another, shared origin). */
  readonly url: string;
  readonly port: number;
}

/**
 * The auth server as its own process (as `npm start` runs it) on a free loopback port, ready
 * when `/readyz` answers 200: for replica tests, several on one database.
 */
export async function spawnAuthServer(env: Record<string, string>): Promise<SpawnedAuthServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService({
    name: "auth server",
    ...authServerCommand(),
    env: { BETTER_AUTH_URL: url, LOG_LEVEL: "warn", ...env, HOST: "127.0.0.1", PORT: String(port) },
    readyUrl: `${url}/readyz`,
  });
  return Object.assign(service, { url, port });
}

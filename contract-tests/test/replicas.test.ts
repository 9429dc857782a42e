/**
 * The auth server as replicas: two processes on one PostgreSQL and one Redis, on two loopback
 * ports, with both task APIs verifying their tokens; and the same checks on SQLite + memory with
 * one process, so both modes stay supported. Real engines: TEST_DATABASE_URL and TEST_REDIS_URL
 * (.ci/run starts both).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  clientsCli,
  createPostgresDatabase,
  createRedisDatabase,
  endSession,
  enrolTotp,
  fetchJwt,
  type IssuedClient,
  newUser,
  postAuth,
  postFrom,
  ROOT,
  readRevocations,
  requestClientToken,
  type SpawnedAuthServer,
  signUp,
  spawnAuthServer,
  startSignIn,
} from "@authbridge/harness";
import { decodeJwt, decodeProtectedHeader } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuthHandle } from "../src/auth.js";
import { type Backends, startBackends } from "../src/backends.js";
import { BOUND_MS, timeToRefusal } from "../src/revocation.js";

const run = promisify(execFile);
const ISSUER = "http://auth.replicas.test";
const AUDIENCE = "task-api";
const SECRET = "replica-secret-".padEnd(48, "x");
const SIGN_IN_MAX = 10;
const CLIENT_TOKENS_MAX = 4;

const hasEngines = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
if (!hasEngines) console.log("[skip] TEST_DATABASE_URL and TEST_REDIS_URL unset: the two-replica variant is skipped");

/** A bad sign-in from a chosen loopback address (its own rate-limit bucket). */
const badSignInFrom = async (localAddress: string, url: string) =>
  (
    await postFrom(
      localAddress,
      `${url}/api/auth/sign-in/email`,
      { email: "nobody@example.test", password: "wrong-password-123" },
      { origin: ISSUER },
    )
  ).status;

const kidsOf = async (url: string) =>
  ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe.each([
  { mode: "PostgreSQL + Redis", replicas: 2, enabled: hasEngines },
  { mode: "SQLite + memory", replicas: 1, enabled: true },
])("the auth server on $mode, $replicas replica(s)", ({ replicas: count, enabled }) => {
  let servers: SpawnedAuthServer[] = [];
  let backends: Backends | undefined;
  let env: Record<string, string>;
  const cleanups: (() => Promise<void>)[] = [];
  /** Replica i, wrapping: with one replica every "other replica" is the same process. */
  const replica = (i: number) => servers[i % servers.length] as SpawnedAuthServer;

  beforeAll(async () => {
    if (!enabled) return;
    env = {
      NODE_ENV: "production",
      // Users sign up and get sessions at once: no mail server here.
      REQUIRE_EMAIL_VERIFICATION: "false",
      BETTER_AUTH_SECRET: SECRET,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      // Long: a key change reaches every replica's signing by announcement, not by this re-read.
      JWT_KEY_CACHE_SECONDS: "600",
      TRUSTED_ORIGINS: ISSUER,
      RATE_LIMIT_SIGN_IN_MAX: String(SIGN_IN_MAX),
      RATE_LIMIT_SIGN_IN_WINDOW_SECONDS: "60",
      RATE_LIMIT_MAX: "100000",
      CLIENT_TOKEN_RATE_LIMIT_MAX: String(CLIENT_TOKENS_MAX),
      LOG_LEVEL: "warn",
    };
    if (count > 1) {
      const database = await createPostgresDatabase();
      if (!database) throw new Error("TEST_DATABASE_URL disappeared");
      cleanups.push(database.drop);
      const redis = await createRedisDatabase();
      if (!redis) throw new Error("TEST_REDIS_URL disappeared");
      Object.assign(env, { AUTH_DATABASE_URL: database.url, REDIS_URL: redis.url });
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-replica-"));
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      env.DATA_DIR = dataDir;
    }
    // All at once, on an empty database: the key lock must leave exactly one live key.
    servers = await Promise.all(Array.from({ length: count }, () => spawnAuthServer(env)));
    const first = servers[0] as SpawnedAuthServer;
    backends = await startBackends(inject("contractRuntime"), { url: ISSUER, port: first.port } as AuthHandle);
  }, 180_000);

  afterAll(async () => {
    await backends?.stop();
    await Promise.all(servers.map((server) => server.stop()));
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.runIf(enabled)("replicas started together share one live signing key", async () => {
    const published = await Promise.all(servers.map((server) => kidsOf(server.url)));
    expect(published[0]).toHaveLength(1);
    for (const kids of published) expect(kids).toEqual(published[0]);
  });

  it.runIf(enabled)(
    "a second factor across replicas: a code used on one is refused on the other, and the per-account limit (5) is shared",
    async () => {
      const user = newUser("replica-2fa");
      const { sessionToken } = await signUp(replica(0).url, user);
      // Enrolment spends two of the account's five calls a minute (enable, confirm).
      const enrolled = await enrolTotp(replica(0).url, { ...user, sessionToken });
      const code = await enrolled.authenticator.freshCode();
      const first = await startSignIn(replica(0).url, user);
      const used = await postAuth(replica(0).url, "two-factor/verify-totp", { code }, { cookies: first });
      expect(used.status).toBe(200);
      expect(decodeJwt(await fetchJwt(replica(1).url, used.sessionToken as string)).amr).toEqual(["pwd", "otp", "mfa"]);
      const second = await startSignIn(replica(1).url, user);
      const replayed = await postAuth(replica(1).url, "two-factor/verify-totp", { code }, { cookies: second });
      expect([replayed.status, replayed.body.code]).toEqual([401, "INVALID_CODE"]);
      expect(
        (await postAuth(replica(0).url, "two-factor/verify-totp", { code: "000000" }, { cookies: second })).status,
      ).toBe(401);
      const over = await postAuth(replica(1).url, "two-factor/verify-totp", { code: "000000" }, { cookies: second });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    },
  );

  it.runIf(enabled)(
    "revocation across replicas: a token issued by one and signed out on the other is refused by both APIs within the bound, and every replica serves the same list",
    async () => {
      const user = newUser("replica-revoked");
      const { sessionToken, userId } = await signUp(replica(1).url, user);
      const jwt = await fetchJwt(replica(1).url, sessionToken);
      const api = (backends as Backends).list;
      const ended = Date.now();
      await endSession(replica(0).url, "sign-out", { ...user, id: userId, sessionToken }, { origin: ISSUER });
      const times = await timeToRefusal(api, jwt, ended);
      console.log(`[revocation] across ${count} replica(s): refused after ${JSON.stringify(times)} ms`);
      for (const ms of Object.values(times)) expect(ms).toBeLessThanOrEqual(BOUND_MS);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const feeds = await Promise.all(servers.map((server) => readRevocations(server.url)));
      expect(new Set(feeds.map((feed) => feed.etag)).size).toBe(1);
      expect(feeds[0]?.feed?.sessions).toContain(decodeJwt(jwt).sid);
    },
  );

  it.runIf(enabled)("a session created on one replica is valid on the other", async () => {
    const user = newUser("replica");
    const { sessionToken, userId } = await signUp(replica(0).url, user);
    const jwt = await fetchJwt(replica(1).url, sessionToken);
    expect(decodeJwt(jwt)).toMatchObject({ sub: userId, iss: ISSUER, aud: AUDIENCE });
  });

  it.runIf(enabled)(`sign-in limits are shared: attempt ${SIGN_IN_MAX + 1} is 429 on whichever replica`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_MAX; i += 1) statuses.push(await badSignInFrom("127.0.0.7", replica(i).url));
    expect(statuses).toEqual(Array(SIGN_IN_MAX).fill(401));
    for (let i = 0; i < count; i += 1) expect(await badSignInFrom("127.0.0.7", replica(i).url)).toBe(429);
    // Another client is not affected.
    expect(await badSignInFrom("127.0.0.8", replica(1).url)).toBe(401);
  });

  it.runIf(enabled)(
    `a client from the CLI: tokens on every replica, limit shared (token ${CLIENT_TOKENS_MAX + 1} is 429 anywhere), revoked everywhere at once`,
    async () => {
      const created = await clientsCli(env, "create", "--name", "replicated", "--scope", "tasks:read:any");
      expect(created.code, created.stderr).toBe(0);
      const client = created.lines[0] as IssuedClient;
      const statuses: number[] = [];
      for (let i = 0; i < CLIENT_TOKENS_MAX; i += 1)
        statuses.push((await requestClientToken(replica(i).url, client)).status);
      expect(statuses).toEqual(Array(CLIENT_TOKENS_MAX).fill(200));
      for (let i = 0; i < count; i += 1) {
        const refused = await requestClientToken(replica(i).url, client);
        expect([refused.status, refused.body.error]).toEqual([429, "too_many_requests"]);
      }
      const other = (await clientsCli(env, "create", "--name", "revoked", "--scope", "tasks:read:any"))
        .lines[0] as IssuedClient;
      for (let i = 0; i < count; i += 1) expect((await requestClientToken(replica(i).url, other)).status).toBe(200);
      expect((await clientsCli(env, "revoke", other.client_id)).code).toBe(0);
      for (let i = 0; i < count; i += 1) {
        const refused = await requestClientToken(replica(i).url, other);
        expect([refused.status, refused.body.error]).toEqual([401, "invalid_client"]);
      }
      if (env.AUTH_DATABASE_URL) {
        // The record, read back as text: a hash, never the secret.
        const db = new pg.Client({ connectionString: env.AUTH_DATABASE_URL });
        await db.connect();
        try {
          const rows = await db.query('select * from "machineClient"');
          const dump = JSON.stringify(rows.rows);
          expect(dump).toContain(client.client_id);
          expect(dump).not.toContain(client.client_secret);
          expect(dump).not.toContain(other.client_secret);
        } finally {
          await db.end();
        }
      }
    },
  );

  it.runIf(enabled)("a rotation made through one changes the key every replica signs with", async () => {
    const { sessionToken } = await signUp(replica(0).url, newUser("rotation"));
    const before = decodeProtectedHeader(await fetchJwt(replica(1).url, sessionToken)).kid;
    // `npm run keys:rotate` as an operator runs it, next to the running replicas.
    await run("npm", ["run", "--silent", "keys:rotate"], { cwd: ROOT, env: { ...process.env, ...env } });
    const after = await kidsOf(replica(0).url);
    expect(after).toHaveLength(2);
    const rotated = after.find((kid) => kid !== before);
    for (let i = 0; i < count; i += 1) {
      // Published at once by every replica, and signing with it from the next token on
      // (PostgreSQL NOTIFY across replicas; SQLite's data_version on one machine).
      expect(await kidsOf(replica(i).url)).toContain(rotated);
      expect(decodeProtectedHeader(await fetchJwt(replica(i).url, sessionToken)).kid).toBe(rotated);
    }
  });

  it.runIf(enabled)("tokens from every replica verify in both task APIs", async () => {
    const { sessionToken, userId } = await signUp(replica(1).url, newUser("verify"));
    for (let i = 0; i < count; i += 1) {
      const jwt = await fetchJwt(replica(i).url, sessionToken);
      for (const backend of backends?.list ?? []) {
        const res = await fetch(`${backend.url}/api/me`, { headers: { authorization: `Bearer ${jwt}` } });
        expect(res.status, `${backend.name} with a token from replica ${i}`).toBe(200);
        expect(((await res.json()) as { id: string }).id).toBe(userId);
      }
    }
    expect(backends?.list).toHaveLength(2);
  });

  if (count > 1) {
    it.runIf(enabled)("killing one replica mid-load loses no request to the survivor", async () => {
      const { sessionToken } = await signUp(replica(1).url, newUser("load"));
      const survivor = replica(1);
      const statuses: number[] = [];
      let killed = false;
      const worker = async () => {
        while (statuses.length < 400) {
          const res = await fetch(`${survivor.url}/api/auth/token`, {
            headers: { authorization: `Bearer ${sessionToken}` },
          });
          await res.arrayBuffer();
          statuses.push(res.status);
          if (!killed && statuses.length >= 100) {
            killed = true;
            await replica(0).stop("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(killed).toBe(true);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      await expect(fetch(`${replica(0).url}/healthz`)).rejects.toThrow();
    });
  }
});

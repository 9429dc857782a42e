/**
 * Sign-up → sign-in → token, on SQLite always and on PostgreSQL when TEST_DATABASE_URL is
 * set: the JWT verifies against the published JWKS and carries exactly the contract's claims.
 */

import {
  createPostgresDatabase,
  fetchJwt,
  newUser,
  POSTGRES_SKIP_NOTE,
  type RunningAuthServer,
  signIn,
  signUp,
  startAuthServer,
} from "@authbridge/harness";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CONTRACT_CLAIMS = [
  "amr",
  "aud",
  "auth_time",
  "email",
  "email_verified",
  "exp",
  "iat",
  "iss",
  "name",
  "role",
  "sid",
  "sub",
];

const hasPostgres = Boolean(process.env.TEST_DATABASE_URL);
if (!hasPostgres) console.log(`[skip] ${POSTGRES_SKIP_NOTE}`);

describe.each([
  { database: "sqlite", enabled: true },
  { database: "postgres", enabled: hasPostgres },
])("tokens on $database", ({ database, enabled }) => {
  let running: RunningAuthServer;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!enabled) return;
    const env: Record<string, string> = {
      JWT_ISSUER: "https://issuer.authbridge.test",
      JWT_AUDIENCE: "task-api",
      JWT_TTL_SECONDS: "600",
    };
    if (database === "postgres") {
      const pgdb = await createPostgresDatabase();
      if (!pgdb) throw new Error("TEST_DATABASE_URL disappeared");
      env.AUTH_DATABASE_URL = pgdb.url;
      dropDatabase = pgdb.drop;
    }
    running = await startAuthServer(env);
  });
  afterAll(async () => {
    await running?.close();
    await dropDatabase?.();
  });

  it.runIf(enabled)("issues an EdDSA JWT with exactly the contract's claims via GET /api/auth/token", async () => {
    const user = newUser();
    await signUp(running.url, user);
    const signedIn = await signIn(running.url, user);
    expect(signedIn.status).toBe(200);
    const { user: signedInUser } = (await signedIn.json()) as { user: { id: string } };
    // The signed session token: a bare one (the body's `token`) is refused (requireSignature).
    const sessionToken = signedIn.headers.get("set-auth-token") as string;

    const jwt = await fetchJwt(running.url, sessionToken);
    const header = decodeProtectedHeader(jwt);
    expect(header.alg).toBe("EdDSA");
    expect(typeof header.kid).toBe("string");

    const jwks = createRemoteJWKSet(new URL(`${running.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(jwt, jwks, {
      issuer: "https://issuer.authbridge.test",
      audience: "task-api",
      algorithms: ["EdDSA"],
    });
    expect(Object.keys(payload).sort()).toEqual(CONTRACT_CLAIMS);
    expect(payload.sub).toBe(signedInUser.id);
    expect(payload.email).toBe(user.email);
    expect(payload.name).toBe(user.name);
    expect(payload.email_verified).toBe(false);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it.runIf(enabled)("sends the same JWT shape in the set-auth-jwt header of get-session", async () => {
    const { sessionToken, userId } = await signUp(running.url, newUser("header"));
    const res = await fetch(`${running.url}/api/auth/get-session`, {
      headers: { authorization: `Bearer ${sessionToken}` },
    });
    expect(res.status).toBe(200);
    const jwt = res.headers.get("set-auth-jwt");
    expect(jwt).toBeTruthy();
    const jwks = createRemoteJWKSet(new URL(`${running.url}/api/auth/jwks`));
    const { payload } = await jwtVerify(jwt as string, jwks, {
      issuer: "https://issuer.authbridge.test",
      audience: "task-api",
    });
    expect(payload.sub).toBe(userId);
    expect(Object.keys(payload).sort()).toEqual(CONTRACT_CLAIMS);
  });

  it.runIf(enabled)("refuses a token without a session with 401", async () => {
    const res = await fetch(`${running.url}/api/auth/token`);
    expect(res.status).toBe(401);
  });

  it.runIf(enabled)("reports ready with a database and a signing key", async () => {
    const res = await fetch(`${running.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});

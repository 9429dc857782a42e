/**
 * A stock Better Auth server (its `jwt()` plugin with EdDSA keys and the default payload: the
 * whole user row, `emailVerified`, no minimal claims) is something adopters already run. Both
 * verifiers, configured with AUTH_SERVER_URL and AUTH_REVOCATION_URL=off, accept its tokens and
 * read the same principal from them. Without the opt-out they refuse them: a stock server's tokens
 * carry no `sid` and it serves no revocation feed, so nothing could end them early (CONTRACT §8).
 */
import { execFile } from "node:child_process";
import type { Server } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "@authbridge/harness";
import { verifierFromEnv } from "@authbridge/verifier";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stockBetterAuth } from "../../bench/stock-better-auth.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const PYTHON = path.join(ROOT, "python-backend", ".venv", "bin", "python");

const VERIFY_PY = `
import asyncio, json, os
from authbridge import AuthError, verifier_from_env

async def main():
    verifier = verifier_from_env()
    try:
        try:
            p = await verifier.verify(os.environ["TOKEN"])
        except AuthError as error:
            print(json.dumps({"code": error.code}))
            return
        print(json.dumps({"id": p.id, "email": p.email, "emailVerified": p.email_verified}))
    finally:
        await verifier.aclose()

asyncio.run(main())
`;

describe("a stock Better Auth server", () => {
  let url: string;
  let server: Server;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const auth = await stockBetterAuth({
      baseURL: url,
      secret: "stock-better-auth-test-secret-0123456789",
      database: new Database(":memory:"),
    });
    server = serve({ fetch: auth.handler, hostname: "127.0.0.1", port }) as Server;
    const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ email: "stock@example.test", password: "a stock password", name: "Stock" }),
    });
    expect(signUp.status).toBe(200);
    const session = (await signUp.json()) as { token: string; user: { id: string } };
    userId = session.user.id;
    const res = await fetch(`${url}/api/auth/token`, { headers: { authorization: `Bearer ${session.token}` } });
    token = ((await res.json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("issues a default payload (the whole user row, emailVerified)", () => {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
    expect(payload).toMatchObject({ sub: userId, emailVerified: false, iss: url, aud: url });
    expect(payload).not.toHaveProperty("email_verified");
  });

  it("is refused by both verifiers without the opt-out: invalid_claims, a user token without sid", async () => {
    await expect(verifierFromEnv({ AUTH_SERVER_URL: url }).verify(token)).rejects.toMatchObject({
      code: "invalid_claims",
    });
    const env = { PATH: process.env.PATH ?? "", AUTH_SERVER_URL: url, TOKEN: token };
    const { stdout } = await run(PYTHON, ["-c", VERIFY_PY], { env, cwd: path.join(ROOT, "python-backend") });
    expect(JSON.parse(stdout)).toEqual({ code: "invalid_claims" });
  });

  it("is verified by the TypeScript SDK from AUTH_SERVER_URL with AUTH_REVOCATION_URL=off", async () => {
    const verifier = verifierFromEnv({ AUTH_SERVER_URL: url, AUTH_REVOCATION_URL: "off" });
    const principal = await verifier.verify(token);
    expect({ id: principal.id, email: principal.email, emailVerified: principal.emailVerified }).toEqual({
      id: userId,
      email: "stock@example.test",
      emailVerified: false,
    });
  });

  it("is verified by the Python library the same way, with the same principal", async () => {
    const env = { PATH: process.env.PATH ?? "", AUTH_SERVER_URL: url, AUTH_REVOCATION_URL: "off", TOKEN: token };
    const { stdout } = await run(PYTHON, ["-c", VERIFY_PY], { env, cwd: path.join(ROOT, "python-backend") });
    expect(JSON.parse(stdout)).toEqual({ id: userId, email: "stock@example.test", emailVerified: false });
  });
});

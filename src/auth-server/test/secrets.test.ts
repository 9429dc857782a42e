/**
 * Secret rotation with BETTER_AUTH_SECRETS: a key encrypted under the old secret still signs
 * after the new secret is introduced; once keys are rotated, the old secret can be retired.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthServer } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

const OLD = "o".repeat(40);
const NEW = "n".repeat(40);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function withServer<T>(
  dataDir: string,
  env: Record<string, string>,
  fn: (s: Awaited<ReturnType<typeof createAuthServer>>) => Promise<T>,
) {
  const server = await createAuthServer(
    loadConfig(
      {
        NODE_ENV: "production",
        BETTER_AUTH_URL: "http://127.0.0.1:3999",
        LOG_LEVEL: "silent",
        REQUIRE_EMAIL_VERIFICATION: "false",
        ...env,
      },
      { dataDir },
    ),
    { logSink: () => {} },
  );
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function publishedKeys(server: Awaited<ReturnType<typeof createAuthServer>>) {
  const res = await server.app.request("/api/auth/jwks");
  return ((await res.json()) as { keys: { kid: string }[] }).keys;
}

async function signAndVerify(server: Awaited<ReturnType<typeof createAuthServer>>): Promise<string> {
  const { token } = await server.auth.api.signJWT({ body: { payload: { sub: "user-1" } } });
  const keys = await publishedKeys(server);
  await jwtVerify(token, createLocalJWKSet({ keys }), { issuer: "http://127.0.0.1:3999" });
  return decodeProtectedHeader(token).kid as string;
}

describe("BETTER_AUTH_SECRETS", () => {
  it("keeps signing across a secret rotation, and lets the old secret retire after a key rotation", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-secrets-"));
    dirs.push(dataDir);
    const first = await withServer(dataDir, { BETTER_AUTH_SECRET: OLD }, signAndVerify);

    // The new secret becomes current; the old one still decrypts the existing key.
    const { kept, rotated } = await withServer(
      dataDir,
      { BETTER_AUTH_SECRET: OLD, BETTER_AUTH_SECRETS: `2:${NEW},1:${OLD}` },
      async (server) => {
        const kept = await signAndVerify(server);
        const { kid } = await server.rotateKey();
        expect(await signAndVerify(server)).toBe(kid);
        return { kept, rotated: kid };
      },
    );
    expect(kept).toBe(first);

    // Only the new secret: the live key was encrypted with it; the old public key is still published.
    await withServer(dataDir, { BETTER_AUTH_SECRETS: `2:${NEW}` }, async (server) => {
      expect(await signAndVerify(server)).toBe(rotated);
      const keys = await publishedKeys(server);
      expect(keys.map((k) => k.kid).sort()).toEqual([first, rotated].sort());
    });
  });

  it("refuses to start with a secret that cannot decrypt the stored key, saying what to do", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-secrets-"));
    dirs.push(dataDir);
    await withServer(dataDir, { BETTER_AUTH_SECRET: OLD }, signAndVerify);
    const started = withServer(dataDir, { BETTER_AUTH_SECRET: NEW }, signAndVerify);
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/BETTER_AUTH_SECRETS/);
  });
});

/** `keys:rotate`: new tokens get a new kid, the old public key stays, old tokens still verify. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { fetchJwt, newUser, type RunningAuthServer, signUp, startAuthServer } from "@authbridge/harness";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");

describe("signing key rotation", () => {
  let running: RunningAuthServer;
  beforeAll(async () => {
    // A long key cache: a change made by another process must reach signing without waiting for it.
    running = await startAuthServer({ JWT_KEY_CACHE_SECONDS: "600" });
  });
  afterAll(async () => running.close());

  const kids = async () =>
    ((await (await fetch(`${running.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );

  it("introduces a new kid at once while the old key stays published and its tokens verify", async () => {
    const { sessionToken } = await signUp(running.url, newUser("rotate"));
    const before = await fetchJwt(running.url, sessionToken);
    const oldKid = decodeProtectedHeader(before).kid;

    const { kid, previous } = await running.server.rotateKey();
    expect(previous).toEqual([oldKid]);

    const after = await fetchJwt(running.url, sessionToken);
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(kid).not.toBe(oldKid);
    expect((await kids()).sort()).toEqual([oldKid, kid].sort());

    const jwks = createRemoteJWKSet(new URL(`${running.url}/.well-known/jwks.json`));
    const options = { issuer: running.server.config.jwt.issuer, audience: running.server.config.jwt.audience };
    await expect(jwtVerify(before, jwks, options)).resolves.toBeTruthy();
    await expect(jwtVerify(after, jwks, options)).resolves.toBeTruthy();
  });

  it("rotates through `npm run keys:rotate` in another process; the server's next token is signed with the new key", async () => {
    const before = await kids();
    const { stdout } = await run("npm", ["run", "--silent", "keys:rotate"], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "test",
        BETTER_AUTH_URL: running.url,
        DATA_DIR: running.dataDir,
        LOG_LEVEL: "info",
      },
    });
    const event = stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, string>)
      .find((line) => line.event === "key.rotated");
    expect(event).toBeDefined();
    const after = await kids();
    expect(after).toHaveLength(before.length + 1);
    expect(after).toContain(event?.kid);
    // Published at once, and signing with it from the next token on (SQLite's data_version moved).
    const { sessionToken } = await signUp(running.url, newUser("after-cli"));
    expect(decodeProtectedHeader(await fetchJwt(running.url, sessionToken)).kid).toBe(event?.kid);
  });

  it("revokes a key: gone from the JWKS at once, the next token signed by a fresh key", async () => {
    const { sessionToken } = await signUp(running.url, newUser("revoke"));
    const live = decodeProtectedHeader(await fetchJwt(running.url, sessionToken)).kid as string;
    await running.revoke(live);
    expect(await kids()).not.toContain(live);
    const next = decodeProtectedHeader(await fetchJwt(running.url, sessionToken)).kid as string;
    expect(next).not.toBe(live);
    expect(await kids()).toContain(next);
    expect(running.logs.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ event: "key.revoked", kid: live }),
    );
  });

  it("revokes through `npm run keys:revoke` in another process; explains a missing or unknown kid", async () => {
    const env = {
      ...process.env,
      NODE_ENV: "test",
      BETTER_AUTH_URL: running.url,
      DATA_DIR: running.dataDir,
      LOG_LEVEL: "warn",
    };
    const cli = (args: string[]) =>
      run("npm", ["run", "--silent", "keys:revoke", "--", ...args], { cwd: root, env }).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    expect(await cli([])).toMatchObject({ code: 64, stderr: expect.stringContaining("usage: npm run keys:revoke") });
    expect(await cli(["no-such-kid"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no signing key with kid"),
    });

    const { sessionToken } = await signUp(running.url, newUser("revoke-cli"));
    const live = decodeProtectedHeader(await fetchJwt(running.url, sessionToken)).kid as string;
    const result = await cli([live]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining(`revoked ${live}; new signing key`) });
    expect(await kids()).not.toContain(live);
    // Once the CLI has returned, no token is signed with the revoked key, not even the next one.
    for (let i = 0; i < 5; i += 1) {
      expect(decodeProtectedHeader(await fetchJwt(running.url, sessionToken)).kid).not.toBe(live);
    }
  });
});

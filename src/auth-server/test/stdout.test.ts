/**
 * Every line the auth server process writes to stdout is one JSON object (Better Auth's own
 * output included), across start-up and the requests that make Better Auth talk: refused
 * sign-ins and sign-ups, a foreign origin, an unknown path, a bad body.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { newUser, type SpawnedAuthServer, signUp, spawnAuthServer } from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: SpawnedAuthServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-stdout-"));
  server = await spawnAuthServer({ NODE_ENV: "development", LOG_LEVEL: "debug", DATA_DIR: dataDir });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the auth server's stdout", () => {
  it("holds only JSON lines, without colour codes", async () => {
    const post = (path: string, body: string, origin = server.url) =>
      fetch(`${server.url}/api/auth${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body,
      });
    const user = newUser("stdout");
    await signUp(server.url, user);
    await post("/sign-up/email", JSON.stringify(user));
    await post("/sign-in/email", JSON.stringify({ email: user.email, password: "wrong-password-123" }));
    await post("/sign-in/email", JSON.stringify({ email: user.email, password: user.password }), "http://evil.test");
    await post("/sign-up/email", "{not json");
    await fetch(`${server.url}/api/auth/no-such-endpoint`);
    await fetch(`${server.url}/api/auth/token`, { headers: { authorization: "Bearer forged.token" } });
    await server.stop("SIGTERM");
    const lines = server
      .stdout()
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(lines.length).toBeGreaterThan(5);
    const bad = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    expect(bad).toEqual([]);
    expect(server.stdout()).not.toContain("\u001b[");
  });
});

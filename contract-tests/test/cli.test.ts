/** `npm run contract` against running services: green on ours, red on an API that lets everyone in. */
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../src/stack.js";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const contract = (args: string[]) =>
  run(process.execPath, ["--conditions=authbridge-source", "--import", "tsx", "contract-tests/src/cli.ts", ...args], {
    cwd: root,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

let stack: Stack;
let permissive: http.Server;
let permissiveUrl: string;
beforeAll(async () => {
  stack = await startStack();
  // An API that answers 200/201 to anything: every contract row must fail against it.
  permissive = http.createServer((req, res) => {
    res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" });
    res.end(req.url === "/health" ? '{"status":"ok"}' : '{"id":"x"}');
  });
  await new Promise<void>((r) => permissive.listen(0, "127.0.0.1", r));
  permissiveUrl = `http://127.0.0.1:${(permissive.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  permissive?.close();
  await stack?.close();
});

describe("npm run contract (external mode)", () => {
  it("passes against both of our running backends and compares them, a machine client's column too", async () => {
    const [py, ts] = stack.backends.list;
    const client = await stack.auth.createClient("contract cli", "tasks:read:any");
    const { code, stdout } = await contract([
      "--auth-url",
      stack.auth.url,
      "--api-url",
      py?.url ?? "",
      "--api-url",
      ts?.url ?? "",
      "--client-id",
      client.client_id,
      "--client-secret",
      client.client_secret,
    ]);
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(stdout).toMatch(/✓ GET \/api\/me: a machine client → 403 user_required/);
    expect(stdout).toMatch(/✓ GET \/api\/admin\/tasks: a machine client with tasks:read:any → 200/);
    expect(stdout).toMatch(/✓ GET \/api\/admin\/users: a machine client without users:list → 403/);
    expect(code).toBe(0);
    expect(Number(stdout.match(/^(\d+) passed/m)?.[1])).toBeGreaterThan(50);
  });

  it("fails, with readable reasons, against an API that lets everyone in", async () => {
    const { code, stdout } = await contract(["--auth-url", stack.auth.url, "--api-url", permissiveUrl]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ GET \/api\/me: missing_token → 401/);
    expect(stdout).toMatch(/status 200, expected 401/);
  });

  it("explains its usage without arguments", async () => {
    const { code, stdout } = await contract([]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/usage: npm run contract/);
  });
});

/**
 * A SQLite write lock held past the busy timeout is a 503 `busy` with Retry-After, never a 500
 * and never a hang, exactly as python-backend answers; the API is back once the lock is free.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createVerifier } from "@authbridge/verifier";
import { generateTestKey, makeToken, serveJwks, TEST_AUDIENCE, TEST_ISSUER } from "@authbridge/verifier/testing";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { SqliteTaskStore } from "../src/store/index.js";

describe("POST /api/tasks while another process holds the write lock", () => {
  it("returns 503 busy with Retry-After, then 201 once the lock is released", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-busy-"));
    const file = path.join(dir, "tasks.sqlite");
    const key = generateTestKey();
    const jwks = await serveJwks(key);
    const store = new SqliteTaskStore(file, { busyTimeoutMs: 300 });
    const app = createApp({
      verifier: createVerifier({
        jwksUrl: jwks.url,
        revocationUrl: jwks.revocationUrl,
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
      }),
      store,
    });
    const headers = {
      authorization: `Bearer ${makeToken("alice", { iss: TEST_ISSUER, aud: TEST_AUDIENCE }, { key })}`,
      "content-type": "application/json",
    };
    const holder = new Database(file);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      const blocked = await app.request("/api/tasks", { method: "POST", headers, body: '{"title":"blocked"}' });
      const waited = Date.now() - started;
      const read = await app.request("/api/tasks", { headers });
      holder.exec("ROLLBACK");
      expect(blocked.status).toBe(503);
      expect(await blocked.json()).toEqual({ detail: "The database is busy; retry shortly", code: "busy" });
      expect(blocked.headers.get("retry-after")).toBe("1");
      expect(waited).toBeLessThan(5000);
      expect(read.status).toBe(200);
      const after = await app.request("/api/tasks", { method: "POST", headers, body: '{"title":"after"}' });
      expect(after.status).toBe(201);
    } finally {
      holder.close();
      await store.close();
      await jwks.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Against the real auth server: Better Auth signs a user up and issues a JWT; the SDK verifies
 * it through the server's JWKS over HTTP, and the twin serves that user alone.
 */

import { fetchJwt, newUser, type RunningAuthServer, signUp, startAuthServer } from "@authbridge/harness";
import { createVerifier } from "@authbridge/verifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { SqliteTaskStore, type TaskStore } from "../src/store/index.js";

describe("the SDK and the twin against the real auth server", () => {
  let auth: RunningAuthServer;
  let store: TaskStore;
  beforeAll(async () => {
    auth = await startAuthServer({ JWT_AUDIENCE: "task-api" });
    store = new SqliteTaskStore(":memory:");
  });
  afterAll(async () => {
    await store.close();
    await auth.close();
  });

  const verifier = () =>
    createVerifier({
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
      revocationUrl: `${auth.url}/api/auth/revocations`,
      issuer: auth.url,
      audience: "task-api",
    });

  it("verifies a Better Auth token and isolates two users", async () => {
    const app = createApp({ verifier: verifier(), store });
    const alice = await signUp(auth.url, newUser("alice"));
    const bob = await signUp(auth.url, newUser("bob"));
    const aliceJwt = await fetchJwt(auth.url, alice.sessionToken);
    const bobJwt = await fetchJwt(auth.url, bob.sessionToken);

    const me = await app.request("/api/me", { headers: { authorization: `Bearer ${aliceJwt}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: string }).id).toBe(alice.userId);

    const created = await app.request("/api/tasks", {
      method: "POST",
      headers: { authorization: `Bearer ${aliceJwt}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "real token" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string; user_id: string };
    expect(task.user_id).toBe(alice.userId);
    const asBob = await app.request(`/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${bobJwt}` } });
    expect(asBob.status).toBe(403);
    const bobList = await app.request("/api/tasks", { headers: { authorization: `Bearer ${bobJwt}` } });
    expect(await bobList.json()).toEqual([]);
  });

  it("picks up a rotated key without restart; the old token keeps verifying", async () => {
    const v = verifier();
    const { sessionToken } = await signUp(auth.url, newUser("rot"));
    const before = await fetchJwt(auth.url, sessionToken);
    await v.verify(before);
    await auth.rotate();
    const after = await fetchJwt(auth.url, sessionToken);
    expect((await v.verify(after)).claims.sub).toBeTruthy();
    expect((await v.verify(before)).id).toBe((await v.verify(after)).id);
  });

  it("refuses the token for another audience", async () => {
    const other = createVerifier({
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
      revocationUrl: `${auth.url}/api/auth/revocations`,
      issuer: auth.url,
      audience: "billing",
    });
    const { sessionToken } = await signUp(auth.url, newUser("aud"));
    await expect(other.verify(await fetchJwt(auth.url, sessionToken))).rejects.toMatchObject({
      code: "invalid_audience",
    });
  });
});

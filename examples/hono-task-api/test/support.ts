/**
 * An in-process twin on a real JWKS endpoint (`@authbridge/verifier/testing`), and token
 * headers by intent: `auth("alice", { exp: 1 })` is an expired token for alice.
 */
import { createVerifier } from "@authbridge/verifier";
import {
  generateTestKey,
  makeClientToken,
  makeToken,
  serveJwks,
  TEST_AUDIENCE,
  TEST_ISSUER,
} from "@authbridge/verifier/testing";
import type { Hono } from "hono";
import { createApp } from "../src/app.js";
import { SqliteTaskStore } from "../src/store/index.js";

export const ADMIN_PERMISSIONS = ["tasks:read:any", "tasks:write:any", "users:list"];

export interface Twin {
  app: Hono;
  auth(sub: string, overrides?: Record<string, unknown>): Record<string, string>;
  /** An admin's headers, as the auth server issues them (the role and its permissions). */
  admin(sub?: string, overrides?: Record<string, unknown>): Record<string, string>;
  /** A machine client's headers (client credentials token) with the scopes it was granted. */
  client(scope: string, overrides?: Record<string, unknown>): Record<string, string>;
  close(): Promise<void>;
}

export async function startTwin(options: { adminRequiresMfa?: boolean } = {}): Promise<Twin> {
  const key = generateTestKey("twin-key");
  const jwks = await serveJwks(key);
  const store = new SqliteTaskStore(":memory:");
  const verifier = createVerifier({
    jwksUrl: jwks.url,
    revocationUrl: jwks.revocationUrl,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
  });
  const app = createApp({ verifier, store, corsOrigins: ["http://app.test"], ...options });
  const auth = (sub: string, overrides: Record<string, unknown> = {}) => ({
    authorization: `Bearer ${makeToken(sub, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, ...overrides }, { key })}`,
  });
  return {
    app,
    auth,
    admin: (sub = "root", overrides = {}) => auth(sub, { role: "admin", permissions: ADMIN_PERMISSIONS, ...overrides }),
    client: (scope, overrides = {}) => ({
      authorization: `Bearer ${makeClientToken("client_reports", scope, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, ...overrides }, { key })}`,
    }),
    close: async () => {
      await store.close();
      await jwks.close();
    },
  };
}

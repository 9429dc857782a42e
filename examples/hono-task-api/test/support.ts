/** An in-process twin on a test JWKS server, and token headers by intent. */
import { createVerifier } from "@authbridge/verifier";
import type { Hono } from "hono";
import {
  AUDIENCE,
  claimsFor,
  ISSUER,
  JwksServer,
  newKey,
  signTestToken,
  type TestKey,
} from "../../../src/verifier-sdk/test/support.js";
import { createApp } from "../src/app.js";
import { TaskStore } from "../src/db.js";

export interface Twin {
  app: Hono;
  key: TestKey;
  jwks: JwksServer;
  auth(sub: string, overrides?: Record<string, unknown>): Record<string, string>;
  close(): Promise<void>;
}

export async function startTwin(): Promise<Twin> {
  const key = newKey("twin-key");
  const jwks = await new JwksServer([key]).start();
  const store = new TaskStore(":memory:");
  const verifier = createVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
  const app = createApp({ verifier, store, corsOrigins: ["http://app.test"] });
  return {
    app,
    key,
    jwks,
    auth: (sub, overrides = {}) => ({
      authorization: `Bearer ${signTestToken(key, { claims: claimsFor(sub, Date.now() / 1000, overrides) })}`,
    }),
    close: async () => {
      store.close();
      await jwks.close();
    },
  };
}

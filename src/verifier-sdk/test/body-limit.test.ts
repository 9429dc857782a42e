/**
 * `bodyLimit` from `@authbridge/verifier/hono`: the contract's 413 for a body over the cap,
 * declared or streamed, and a refused body (this 413, or `requireUser`'s 401) read to its end
 * and thrown away before the answer, bounded, so the client reads it. python-backend's
 * `test_body_limit.py` pins the same for the ASGI limit.
 */
import { createVerifier } from "@authbridge/verifier";
import { authErrorHandler, bodyLimit, requireUser } from "@authbridge/verifier/hono";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { DRAIN_MAX_BYTES } from "../src/body-limit.js";
import { AUDIENCE, claimsFor, ISSUER, signTestToken, useJwksServer } from "./support.js";

const server = useJwksServer();
const CAP = 1024;

function app() {
  const reached: string[] = [];
  const verifier = createVerifier({
    jwksUrl: server.jwks.url,
    revocationUrl: server.jwks.revocationUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  const api = new Hono();
  api.onError(authErrorHandler());
  api.use("/api/*", requireUser(verifier), bodyLimit({ maxBytes: CAP }));
  api.post("/api/items", async (c) => {
    reached.push("items");
    return c.json({ length: (await c.req.text()).length });
  });
  return { api, reached };
}

/** A streamed body of `count` chunks of `size` bytes that counts how many were pulled. */
function counted(count: number, size = 512) {
  const stats = { pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stats.pulled === count) return controller.close();
      stats.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return { body, stats };
}

const bearer = () => ({ authorization: `Bearer ${signTestToken(server.key, { claims: claimsFor("ada") })}` });
const post = (api: Hono, body: BodyInit, headers: Record<string, string> = {}) =>
  api.request("/api/items", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("POST with bodyLimit after requireUser", () => {
  it("answers 401 without the route seeing the body, and discards the body first", async () => {
    const { api, reached } = app();
    const { body, stats } = counted(40);
    const res = await post(api, body);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("missing_token");
    expect(reached).toEqual([]);
    expect(stats.pulled).toBe(40);
  });

  it("answers a declared length over the cap with the contract's 413 and Connection: close", async () => {
    const { api, reached } = app();
    const res = await post(api, "x".repeat(10 * CAP), { ...bearer(), "content-length": String(10 * CAP) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: "The request body is too large", code: "payload_too_large" });
    expect(res.headers.get("connection")).toBe("close");
    expect(reached).toEqual([]);
  });

  it("answers a streamed body over the cap with 413 and discards the rest", async () => {
    const { api, reached } = app();
    const { body, stats } = counted(100);
    const res = await post(api, body, bearer());
    expect(res.status).toBe(413);
    expect(reached).toEqual([]);
    expect(stats.pulled).toBe(100);
  });

  it("stops discarding at its bound", async () => {
    const { api } = app();
    const { body, stats } = counted(100_000, 1024);
    const res = await post(api, body);
    expect(res.status).toBe(401);
    expect(stats.pulled * 1024).toBeLessThanOrEqual(DRAIN_MAX_BYTES + 64 * 1024);
  });

  it("hands a streamed body under the cap to the route", async () => {
    const { api, reached } = app();
    const { body } = counted(1, 100);
    const res = await post(api, body, bearer());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ length: 100 });
    expect(reached).toEqual(["items"]);
  });

  it("refuses a cap that is no positive number of bytes when built", () => {
    expect(() => bodyLimit({ maxBytes: 0 })).toThrow(TypeError);
  });
});

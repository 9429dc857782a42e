/** The JWKS endpoints: public keys only, cache headers, ETag revalidation. */

import { useAuthServer } from "@authbridge/harness/vitest";
import { describe, expect, it } from "vitest";

describe("GET /api/auth/jwks and /.well-known/jwks.json", () => {
  const running = useAuthServer({ JWKS_MAX_AGE_SECONDS: "120" });

  it("publishes the same Ed25519 public keys at both paths with cache headers", async () => {
    const a = await fetch(`${running.url}/api/auth/jwks`);
    const b = await fetch(`${running.url}/.well-known/jwks.json`);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.headers.get("cache-control")).toBe("public, max-age=120");
    expect(b.headers.get("cache-control")).toBe("public, max-age=120");
    expect(a.headers.get("etag")).toMatch(/^"[\w-]+"$/);
    expect(a.headers.get("etag")).toBe(b.headers.get("etag"));
    const body = (await a.json()) as { keys: Record<string, unknown>[] };
    expect(await b.json()).toEqual(body);
    expect(body.keys).toHaveLength(1);
    const [key] = body.keys;
    expect(Object.keys(key ?? {}).sort()).toEqual(["alg", "crv", "kid", "kty", "x"]);
    expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(key).not.toHaveProperty("d");
  });

  it("answers 304 with no body to a matching If-None-Match", async () => {
    const first = await fetch(`${running.url}/.well-known/jwks.json`);
    const etag = first.headers.get("etag") as string;
    const again = await fetch(`${running.url}/.well-known/jwks.json`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toBe("public, max-age=120");
    expect(await again.text()).toBe("");
    const weak = await fetch(`${running.url}/api/auth/jwks`, { headers: { "if-none-match": `W/${etag}` } });
    expect(weak.status).toBe(304);
  });

  it("answers 200 to a stale If-None-Match", async () => {
    const res = await fetch(`${running.url}/.well-known/jwks.json`, { headers: { "if-none-match": '"stale"' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { keys: unknown[] }).keys.length).toBe(1);
  });
});

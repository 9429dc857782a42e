/**
 * Serves the JWKS with the caching headers Better Auth omits: verifiers refetch on
 * `max-age`, and a strong `ETag` lets them revalidate for the price of a 304.
 */
import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { Auth } from "./auth.js";

export function jwksHandler(auth: Auth, maxAgeSeconds: number) {
  return async (c: Context) => {
    const { keys } = await auth.api.getJwks();
    // Only public members, whatever Better Auth adds to its rows in the future.
    const publicKeys = keys.map((key: Record<string, unknown>) => ({
      kty: key.kty,
      crv: key.crv,
      x: key.x,
      kid: key.kid,
      alg: key.alg,
    }));
    const body = JSON.stringify({ keys: publicKeys });
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    const headers = {
      "Cache-Control": `public, max-age=${maxAgeSeconds}`,
      ETag: etag,
      "Content-Type": "application/json",
    };
    if (ifNoneMatch(c.req.header("if-none-match"), etag)) {
      return c.body(null, 304, headers);
    }
    return c.body(body, 200, headers);
  };
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === etag || tag === "*");
}

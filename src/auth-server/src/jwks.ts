/**
 * Serves the JWKS with the caching headers Better Auth omits: verifiers refetch on `max-age`,
 * and a strong `ETag` lets them revalidate for the price of a 304. The key rows are read on
 * every request, so every replica publishes a new key the moment it exists; the body and its
 * ETag are computed only when the set of published keys changes.
 */
import type { Context } from "hono";
import { type Auth, contextOf } from "./auth.js";
import { etagOf, ifNoneMatch } from "./etag.js";
import { type KeyRow, listKeyRows } from "./key-rows.js";

interface Rendered {
  fingerprint: string;
  body: string;
  etag: string;
}

export function jwksHandler(auth: Auth, options: { maxAgeSeconds: number; graceSeconds: number }) {
  let rendered: Rendered | undefined;
  const cacheControl = `public, max-age=${options.maxAgeSeconds}`;

  return async (c: Context) => {
    const ctx = await contextOf(auth);
    const now = Date.now();
    const rows = await listKeyRows(ctx);
    // A retired key stays published for the grace period, so tokens it signed keep verifying.
    const published = rows
      .filter((row) => !row.expiresAt || new Date(row.expiresAt).getTime() + options.graceSeconds * 1000 > now)
      .sort((a, b) => a.id.localeCompare(b.id));
    const fingerprint = published.map((row) => row.id).join(",");
    if (rendered?.fingerprint !== fingerprint) rendered = render(published, fingerprint);
    const headers = { "Cache-Control": cacheControl, ETag: rendered.etag, "Content-Type": "application/json" };
    if (ifNoneMatch(c.req.header("if-none-match"), rendered.etag)) return c.body(null, 304, headers);
    return c.body(rendered.body, 200, headers);
  };
}

function render(rows: KeyRow[], fingerprint: string): Rendered {
  // Only public members, whatever else a row holds.
  const keys = rows.map((row) => {
    const { kty, crv, x } = JSON.parse(row.publicKey) as { kty: string; crv?: string; x: string };
    return { kty, crv: crv ?? row.crv ?? "Ed25519", x, kid: row.id, alg: row.alg ?? "EdDSA" };
  });
  const body = JSON.stringify({ keys });
  return { fingerprint, body, etag: etagOf(body) };
}

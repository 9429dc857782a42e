/**
 * Decides the client IP that rate limits are keyed by. `@hono/node-server` forwards no
 * address header, so without this every client would share Better Auth's one bucket; and a
 * header the client controls would let anyone pick their own bucket. So: the socket address,
 * unless the operator names the one header their proxy sets.
 */

import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/** Internal header Better Auth is told to read; any client-sent value is overwritten. */
export const CLIENT_IP_HEADER = "x-authbridge-client-ip";

export function clientIp(c: Context, trustProxyHeader: string | undefined): string | undefined {
  if (trustProxyHeader) {
    const raw = c.req.header(trustProxyHeader);
    // The right-most hop is the one our proxy appended; the ones left of it are client-supplied.
    const hops = raw
      ?.split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    const last = hops?.[hops.length - 1];
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? undefined;
  } catch {
    return undefined;
  }
}

/** A copy of the request whose client-IP header is the one decided here, or absent. */
export function withClientIp(request: Request, ip: string | undefined): Request {
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_IP_HEADER);
  if (ip) headers.set(CLIENT_IP_HEADER, ip.replace(/^::ffff:/, ""));
  return new Request(request, { headers });
}

/**
 * Decides the client IP that rate limits and audit lines are keyed by. `@hono/node-server`
 * forwards no address header, so without this every client would share one bucket; and a
 * header the client controls would let anyone pick their own bucket. So: the socket address,
 * unless the connection comes from one of the proxies named in `TRUSTED_PROXIES`, and then the
 * header `TRUST_PROXY_HEADER` that those proxies set.
 */
import { promises as dns } from "node:dns";
import net from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { splitList } from "./list.js";

/** Internal header Better Auth is told to read; any client-sent value is overwritten. */
export const CLIENT_IP_HEADER = "x-authbridge-client-ip";

/** How often the addresses behind a proxy's host name are looked up again. */
const RESOLVE_EVERY_MS = 30_000;

const plain = (address: string) => address.replace(/^::ffff:/, "");

/** Whether `entry` is an address, a CIDR block or a host name (`TRUSTED_PROXIES`). */
export function proxyEntryKind(entry: string): "address" | "subnet" | "host" | undefined {
  if (net.isIP(entry)) return "address";
  const [base, bits, extra] = entry.split("/");
  if (base && bits !== undefined && extra === undefined && net.isIP(base) && /^\d{1,3}$/.test(bits)) {
    return Number(bits) <= (net.isIPv4(base) ? 32 : 128) ? "subnet" : undefined;
  }
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry) ? "host" : undefined;
}

export interface ClientIpResolver {
  /** The client's address for this request, or `undefined` if the socket has none. */
  (c: Context): string | undefined;
  /** Stops looking host names up again. */
  close(): void;
}

/**
 * @param header lower-case name of the header the proxies set (`x-forwarded-for`), or none
 * @param proxies `TRUSTED_PROXIES`: addresses, CIDR blocks, or host names (looked up at start and
 *   every 30 s; a name that does not resolve trusts nobody, so the header is ignored)
 * @example
 * const clientIp = clientIpResolver("x-forwarded-for", ["10.0.0.5", "auth-lb"]);
 * clientIp(c); // "198.51.100.7" behind auth-lb, the socket's address otherwise
 */
export function clientIpResolver(header: string | undefined, proxies: readonly string[]): ClientIpResolver {
  const blocks = new net.BlockList();
  const hosts: string[] = [];
  for (const entry of proxies) {
    const kind = proxyEntryKind(entry);
    const family = net.isIPv6(entry.split("/")[0] as string) ? "ipv6" : "ipv4";
    if (kind === "address") blocks.addAddress(entry, family);
    else if (kind === "subnet") blocks.addSubnet(entry.split("/")[0] as string, Number(entry.split("/")[1]), family);
    else if (kind === "host") hosts.push(entry);
  }
  let resolved = new Set<string>();
  const resolve = async () => {
    const next = new Set<string>();
    for (const host of hosts) {
      try {
        for (const { address } of await dns.lookup(host, { all: true })) next.add(plain(address));
      } catch {
        // Not resolvable (yet): trust nobody under that name.
      }
    }
    resolved = next;
  };
  const timer = hosts.length > 0 && header ? setInterval(() => void resolve(), RESOLVE_EVERY_MS) : undefined;
  timer?.unref();
  if (timer) void resolve();
  const trusted = (address: string) =>
    resolved.has(address) || blocks.check(address, net.isIPv6(address) ? "ipv6" : "ipv4");

  const clientIp = ((c: Context) => {
    let socket: string | undefined;
    try {
      socket = getConnInfo(c).remote.address;
    } catch {
      socket = undefined;
    }
    const peer = socket === undefined ? undefined : plain(socket);
    if (!header || peer === undefined || !trusted(peer)) return peer;
    // Right to left: each trusted proxy appended the address it saw; the first untrusted one is
    // the client (anything left of it the client could have written itself).
    const hops = splitList(c.req.header(header))
      .map(plain)
      .filter((hop) => net.isIP(hop));
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] as string;
      if (!trusted(hop) || i === 0) return hop;
    }
    return peer;
  }) as ClientIpResolver;
  clientIp.close = () => {
    if (timer) clearInterval(timer);
  };
  return clientIp;
}

/** A copy of the request whose client-IP header is the one decided here, or absent. */
export function withClientIp(request: Request, ip: string | undefined): Request {
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_IP_HEADER);
  if (ip) headers.set(CLIENT_IP_HEADER, ip);
  return new Request(request, { headers });
}

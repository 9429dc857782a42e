/**
 * `GET /api/auth/revocations` (CONTRACT §8): what has been revoked and could still be carried by
 * an unexpired token. Ended sessions are listed by `sid` for the user token lifetime plus the
 * largest verifier leeway; revoked machine clients by `client_id` for the client token lifetime
 * plus that leeway. Past MAX_FEED_ENTRIES the oldest entries are folded into `not_before`: every
 * token issued before it is refused, so the list stays bounded and nothing revoked comes back.
 *
 * Every replica reads the same rows (the auth database) and renders them the same way (sorted,
 * no per-replica field), so the body and its ETag agree across replicas. At most once a second a
 * replica asks whether anything was revoked since it last built the list (two counts over indexed
 * rows that no purge can reach before the next full build, so an insert always shows, even one
 * committed late); only then, or every FULL_BUILD_MS, does it build the list again. A
 * revalidation with the ETag is a 304.
 */
import type { AuthContext } from "better-auth";
import type { Context } from "hono";
import { CLIENT_MODEL } from "../clients/store.js";
import { etagOf, ifNoneMatch } from "../etag.js";
import { REVOKED_SESSION_MODEL } from "./plugin.js";

export { REVOKED_SESSION_MODEL };

export const REVOCATIONS_PATH = "/api/auth/revocations";
/** Entries one feed lists at most (contract.json `limits.maxRevocationEntries`). */
export const MAX_FEED_ENTRIES = 10_000;
/** The largest leeway a verifier may allow (CONTRACT §2): a token lives until `exp` plus it. */
export const MAX_LEEWAY_SECONDS = 300;
/** How long a rendered list is reused: the feed adds at most this to the revocation bound. */
export const REBUILD_MS = 1000;
const PURGE_MS = 60_000;
/** The list is built again at least this often, whatever the counts say (expired entries leave). */
const FULL_BUILD_MS = 30_000;

export interface FeedOptions {
  /** User token lifetime (`JWT_TTL_SECONDS`). */
  userTokenTtlSeconds: number;
  /** Client token lifetime (`CLIENT_TOKEN_TTL_SECONDS`). */
  clientTokenTtlSeconds: number;
  maxEntries?: number;
}

interface Rendered {
  body: string;
  etag: string;
  builtAt: number;
  /** When the counts were last compared. */
  checkedAt: number;
  /** Rows revoked after this are counted; no purge reaches them before the next full build. */
  countedSince: Date;
  counts: string;
}

interface Entry {
  kind: "session" | "client";
  value: string;
  at: number;
}

type Context_ = Pick<AuthContext, "adapter">;

/** The list as it stands now: entries newest first, folded past `maxEntries`. */
export async function buildFeed(context: Context_, options: FeedOptions, now = Date.now()) {
  const max = options.maxEntries ?? MAX_FEED_ENTRIES;
  const sessionLife = (options.userTokenTtlSeconds + MAX_LEEWAY_SECONDS) * 1000;
  const clientLife = (options.clientTokenTtlSeconds + MAX_LEEWAY_SECONDS) * 1000;
  // Newest first, one more than the cap: the extra one, if any, dates the fold.
  const revokedSince = async (kind: Entry["kind"], model: string, field: string, since: number) => {
    const rows = await context.adapter.findMany<Record<string, unknown>>({
      model,
      where: [{ field: "revokedAt", operator: "gt", value: new Date(since) }],
      select: [field, "revokedAt"],
      sortBy: { field: "revokedAt", direction: "desc" },
      limit: max + 1,
    });
    return rows.map((row) => ({ kind, value: String(row[field]), at: new Date(row.revokedAt as Date).getTime() }));
  };
  const entries: Entry[] = (
    await Promise.all([
      revokedSince("session", REVOKED_SESSION_MODEL, "sid", now - sessionLife),
      revokedSince("client", CLIENT_MODEL, "clientId", now - clientLife),
    ])
  )
    .flat()
    .sort((a, b) => b.at - a.at);
  const kept = entries.slice(0, max);
  const newestFolded = entries[max];
  // A token issued in the folded entry's second, or before, is refused (iat has whole seconds).
  const notBefore = newestFolded ? Math.floor(newestFolded.at / 1000) + 1 : 0;
  const list = (kind: Entry["kind"]) => [...new Set(kept.filter((e) => e.kind === kind).map((e) => e.value))].sort();
  return { sessions: list("session"), clients: list("client"), not_before: notBefore };
}

/** Deletes revoked-session rows no unexpired token can name any more. */
export async function purgeRevocations(context: Context_, options: FeedOptions, now = Date.now()): Promise<void> {
  const cutoff = new Date(now - (options.userTokenTtlSeconds + MAX_LEEWAY_SECONDS) * 1000);
  await context.adapter.deleteMany({
    model: REVOKED_SESSION_MODEL,
    where: [{ field: "revokedAt", operator: "lt", value: cutoff }],
  });
}

/** Revoked sessions since `since`, and revoked clients ever (a client is never un-revoked or deleted). */
export async function countsOf(context: Context_, since: Date): Promise<string> {
  const [sessions, clients] = await Promise.all([
    context.adapter.count({
      model: REVOKED_SESSION_MODEL,
      where: [{ field: "revokedAt", operator: "gt", value: since }],
    }),
    context.adapter.count({ model: CLIENT_MODEL, where: [{ field: "revokedAt", operator: "gt", value: new Date(0) }] }),
  ]);
  return `${sessions}/${clients}`;
}

export function revocationFeed(context: () => Promise<Context_>, options: FeedOptions) {
  let rendered: Rendered | undefined;
  let building: Promise<Rendered> | undefined;
  let purgedAt = 0;
  const lifeMs = (options.userTokenTtlSeconds + MAX_LEEWAY_SECONDS) * 1000;

  const refresh = async (previous: Rendered | undefined): Promise<Rendered> => {
    const ctx = await context();
    const now = Date.now();
    if (previous && now - previous.builtAt < FULL_BUILD_MS) {
      if ((await countsOf(ctx, previous.countedSince)) === previous.counts) return { ...previous, checkedAt: now };
    }
    if (now - purgedAt >= PURGE_MS) {
      purgedAt = now;
      await purgeRevocations(ctx, options, now);
    }
    // Any replica purges only rows older than its now minus the lifetime: until the next full
    // build (and 30 s of clock skew) none of the rows counted from here can go.
    const countedSince = new Date(now - lifeMs + FULL_BUILD_MS + 30_000);
    // Counted before the build: a revocation landing in between shows at the next check.
    const counts = await countsOf(ctx, countedSince);
    const feed = await buildFeed(ctx, options, now);
    const body = JSON.stringify(feed);
    return { body, etag: etagOf(body), builtAt: now, checkedAt: now, countedSince, counts };
  };

  const current = async (): Promise<Rendered> => {
    if (rendered && Date.now() - rendered.checkedAt < REBUILD_MS) return rendered;
    // Single flight: one check (or build) however many verifiers ask at once.
    building ??= refresh(rendered).finally(() => {
      building = undefined;
    });
    try {
      rendered = await building;
    } catch (error) {
      // The database is down: no revocation can be written either, so the last list still holds.
      if (!rendered) throw error;
    }
    return rendered;
  };

  return async (c: Context): Promise<Response> => {
    let feed: Rendered;
    try {
      feed = await current();
    } catch {
      return c.json({ code: "UNAVAILABLE", message: "the revocation list cannot be read right now" }, 503, {
        "Retry-After": "1",
        "Cache-Control": "no-store",
      });
    }
    // Shared caches may keep it a second: the bound already counts the feed's own second.
    const headers = { "Cache-Control": "public, max-age=1", ETag: feed.etag, "Content-Type": "application/json" };
    if (ifNoneMatch(c.req.header("if-none-match"), feed.etag)) return c.body(null, 304, headers);
    return c.body(feed.body, 200, headers);
  };
}

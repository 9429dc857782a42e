/**
 * The auth server's revocation feed (CONTRACT §8), followed the way the JWKS is (python-backend's
 * `authbridge/revocations.py` behaves the same way):
 *
 * - the list is fresh for `revocationPollSeconds`; a refresh starts in the background before
 *   that, so under traffic no request waits, and a request that finds it older waits for one;
 * - single flight: concurrent requests share one fetch; `If-None-Match` makes an unchanged list
 *   a 304; the body is read up to MAX_REVOCATION_BYTES and a list over MAX_REVOCATION_ENTRIES is
 *   refused whole (dropping entries would un-revoke tokens);
 * - a failed fetch is retried once per poll interval, and the last good list keeps serving for
 *   `revocationMaxStaleSeconds` past its freshness. Past that (or before any list), whether a
 *   token was revoked is unknown: only a token issued within that window is accepted, any older
 *   one is `token_revoked`, so a client's freshly issued token works and an old one fails closed.
 *
 * A decision is two set lookups, so it runs on verified-token cache hits too.
 */
import { AuthError } from "./errors.js";
import type { RevocationList, VerifierLogger } from "./options.js";
import { DocumentPoller, type Fetched } from "./polled-document.js";

/**
 * A revocation feed larger than this is refused, never parsed (CONTRACT §8 limits).
 *
 * @example
 * // A feed response over MAX_REVOCATION_BYTES keeps the last good list serving.
 */
export const MAX_REVOCATION_BYTES = 1024 * 1024;
/**
 * Entries (sessions and clients) one feed may list; the auth server folds older ones into
 * `not_before` past it.
 *
 * @example
 * // A feed listing more than MAX_REVOCATION_ENTRIES entries is refused whole.
 */
export const MAX_REVOCATION_ENTRIES = 10_000;

/** A parsed list; `fetchedAt` on the cache's monotonic clock, seconds. */
export interface RevocationSnapshot {
  readonly sessions: ReadonlySet<string>;
  readonly clients: ReadonlySet<string>;
  readonly notBefore: number;
  readonly fetchedAt: number;
}

/** What a decision reads of a verified token. */
export interface RevocableToken {
  readonly kind: "user" | "client";
  readonly sessionId: string | null;
  readonly clientId: string | null;
  readonly issuedAt: number | null;
}

export interface RevocationCacheOptions {
  url?: URL | undefined;
  list?: RevocationList | undefined;
  pollSeconds: number;
  maxStaleSeconds: number;
  timeoutSeconds: number;
  fetch: typeof fetch;
  /** A monotonic clock, milliseconds (freshness and staleness). */
  now: () => number;
  /** Wall clock, milliseconds (a token's `iat`). */
  wallNow: () => number;
  logger?: VerifierLogger;
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;

/** The sets of a feed document; throws on anything that is not one, or that is over the limit. */
export function parseRevocationList(document: unknown, fetchedAt: number): RevocationSnapshot {
  if (!document || typeof document !== "object" || Array.isArray(document)) throw new Error("not a revocation list");
  const { sessions = [], clients = [], not_before: notBefore = 0 } = document as Record<string, unknown>;
  const sessionIds = strings(sessions);
  const clientIds = strings(clients);
  if (!sessionIds || !clientIds) throw new Error("sessions and clients must be arrays of strings");
  if (typeof notBefore !== "number" || !Number.isFinite(notBefore)) throw new Error("not_before must be a number");
  if (sessionIds.length + clientIds.length > MAX_REVOCATION_ENTRIES) {
    throw new Error(`more than ${MAX_REVOCATION_ENTRIES} entries`);
  }
  return { sessions: new Set(sessionIds), clients: new Set(clientIds), notBefore, fetchedAt };
}

export class RevocationCache {
  private snapshot: RevocationSnapshot | undefined;
  private readonly ahead: number;
  private readonly poller: DocumentPoller | undefined;

  constructor(private readonly options: RevocationCacheOptions) {
    const { url, maxStaleSeconds } = options;
    this.ahead = Math.min(1, options.pollSeconds * 0.2);
    if (!url && !options.list) throw new TypeError("authbridge: RevocationCache needs a url or a static list");
    if (options.list) this.snapshot = parseRevocationList(options.list, Number.POSITIVE_INFINITY);
    else if (url) {
      this.poller = new DocumentPoller(
        {
          url,
          fetch: options.fetch,
          timeoutSeconds: options.timeoutSeconds,
          maxBytes: MAX_REVOCATION_BYTES,
          name: "revocation list",
          failedLine: (error) =>
            `authbridge: the revocation feed fetch failed (${error}); the last good list serves for ${maxStaleSeconds} s`,
          recoveredLine: `authbridge: the revocation feed answers again (GET ${url.href})`,
          now: () => this.clock(),
          logger: options.logger ?? console,
        },
        (fetched) => this.take(fetched),
      );
    }
  }

  /** HTTP fetches made (a metric). */
  get fetchCount(): number {
    return this.poller?.fetchCount ?? 0;
  }

  /** Why the last fetch failed, or undefined after a success. */
  get lastError(): string | undefined {
    return this.poller?.lastError;
  }

  /**
   * Throws `token_revoked` if the token is listed (or cannot be cleared, see above); a user
   * token without `sid` is `invalid_claims`, since no sign-out could ever reach it. Synchronous
   * while the list is fresh, else a promise that settles once the refresh is done.
   */
  check(token: RevocableToken): void | Promise<void> {
    if (token.kind === "user" && token.sessionId === null) throw new AuthError("invalid_claims");
    const now = this.clock();
    const snapshot = this.snapshot;
    if (snapshot && (this.isStatic || now < snapshot.fetchedAt + this.options.pollSeconds)) {
      if (now >= snapshot.fetchedAt + this.options.pollSeconds - this.ahead) {
        this.poller?.refreshInBackground(this.options.pollSeconds);
      }
      return decide(snapshot, token);
    }
    if (!this.poller || this.poller.failedWithin(this.options.pollSeconds)) return this.decideStale(token);
    return this.poller.refresh().then(() => this.decideStale(token));
  }

  /** Fetch now (at start-up); resolves to whether a usable list is cached. */
  async warm(): Promise<boolean> {
    await this.poller?.refresh();
    return this.usable() !== undefined;
  }

  private get isStatic(): boolean {
    return this.options.list !== undefined;
  }

  private clock(): number {
    return this.options.now() / 1000;
  }

  private usable(): RevocationSnapshot | undefined {
    const snapshot = this.snapshot;
    if (!snapshot || this.isStatic) return snapshot;
    const servesUntil = snapshot.fetchedAt + this.options.pollSeconds + this.options.maxStaleSeconds;
    return this.clock() < servesUntil ? snapshot : undefined;
  }

  /** With the freshest list there is; without one, only a token younger than the stale window passes. */
  private decideStale(token: RevocableToken): void {
    const snapshot = this.usable();
    if (snapshot) {
      decide(snapshot, token);
      return;
    }
    const age = token.issuedAt === null ? Number.POSITIVE_INFINITY : this.options.wallNow() / 1000 - token.issuedAt;
    if (!(age <= this.options.maxStaleSeconds)) throw new AuthError("token_revoked");
    // Still refuse what the last list named, however old it is.
    if (this.snapshot) decide(this.snapshot, token);
  }

  /** A fetched list in: a 304 keeps the sets. */
  private take(fetched: Fetched): void {
    const fetchedAt = this.clock();
    if (!fetched.notModified) this.snapshot = parseRevocationList(fetched.document, fetchedAt);
    else if (this.snapshot) this.snapshot = { ...this.snapshot, fetchedAt };
    else throw new Error("answered 304 to a first request");
  }
}

function decide(snapshot: RevocationSnapshot, token: RevocableToken): void {
  const listed =
    token.kind === "user"
      ? snapshot.sessions.has(token.sessionId as string)
      : snapshot.clients.has(token.clientId as string);
  if (listed || (snapshot.notBefore > 0 && (token.issuedAt ?? 0) < snapshot.notBefore)) {
    throw new AuthError("token_revoked");
  }
}

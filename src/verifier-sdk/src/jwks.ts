/**
 * A JWKS cache that does what no single library does together (python-backend's
 * `authbridge/jwks.py` behaves the same way):
 *
 * - freshness from the response's `Cache-Control: max-age` clamped to [60 s, 24 h], else
 *   `jwksCacheSeconds`; a refresh starts in the background before the set goes stale, so
 *   requests do not wait for it;
 * - single flight: concurrent requests share one fetch;
 * - an unknown `kid` refetches at most once per `jwksCooldownSeconds`;
 * - stale-if-error: while the endpoint fails, the last good set serves up to
 *   `jwksMaxStaleSeconds` past its freshness; then an undecidable token is `jwks_unavailable`
 *   (503), never a 401 and never a 500;
 * - keys are imported once per set and kept per `kid`; a key that leaves the set stops verifying.
 */
import type { JSONWebKeySet } from "jose";
import { AuthError } from "./errors.js";
import { importEd25519, type VerifyKey } from "./keys.js";
import type { VerifierLogger } from "./options.js";
import { DocumentPoller, type Fetched } from "./polled-document.js";

export const MIN_MAX_AGE = 60;
export const MAX_MAX_AGE = 24 * 3600;
/** A JWKS larger than this is not a key set anyone publishes. */
/**
 * A JWKS larger than this is not a key set anyone publishes (CONTRACT, limits).
 *
 * @example
 * // A JWKS response larger than MAX_JWKS_BYTES is refused (jwks_unavailable), never parsed.
 */
export const MAX_JWKS_BYTES = 256 * 1024;
/**
 * Keys read from one JWKS at most.
 *
 * @example
 * // Only the first MAX_JWKS_KEYS keys of a JWKS are read.
 */
export const MAX_JWKS_KEYS = 100;
const MAX_AGE = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i;

/** Keys by kid, and every key (a key without a kid is only reachable when it is alone). */
export interface ParsedKeys {
  readonly byKid: ReadonlyMap<string, VerifyKey>;
  readonly all: readonly VerifyKey[];
}

export interface KeySet {
  readonly keys: ParsedKeys;
  /** Seconds, on the cache's clock. */
  readonly fetchedAt: number;
  readonly freshUntil: number;
}

/** The usable public Ed25519 keys of a JWKS document; anything else in it is ignored. */
export async function parseJwks(document: unknown, previous?: ParsedKeys): Promise<ParsedKeys> {
  const byKid = new Map<string, VerifyKey>();
  const all: VerifyKey[] = [];
  let unnamed = false;
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!document || typeof document !== "object" || !Array.isArray(list)) throw new Error("not a JWKS document");
  for (const entry of list.slice(0, MAX_JWKS_KEYS)) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) continue;
    const { kty, crv, x, alg, use, kid } = entry as Record<string, unknown>;
    if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string") continue;
    if (!(alg === undefined || alg === "EdDSA" || alg === "Ed25519")) continue;
    if (!(use === undefined || use === "sig")) continue;
    if (kid !== undefined && typeof kid !== "string") continue;
    if (kid === undefined ? unnamed : byKid.has(kid)) continue;
    try {
      // Only the public member: a stray private `d` in a published set is never used.
      const known = kid === undefined ? undefined : previous?.byKid.get(kid);
      const key = known && known.x === x ? known : await importEd25519(x);
      if (kid === undefined) unnamed = true;
      else byKid.set(kid, key);
      all.push(key);
    } catch {
      // A malformed key is skipped; the rest of the set still serves.
    }
  }
  return { byKid, all };
}

/** The `max-age` of a Cache-Control value clamped to [60 s, 24 h], or `undefined`. */
export function maxAgeOf(cacheControl: string | null | undefined): number | undefined {
  if (!cacheControl) return undefined;
  const match = MAX_AGE.exec(cacheControl);
  if (!match) return undefined;
  return Math.min(MAX_MAX_AGE, Math.max(MIN_MAX_AGE, Number(match[1])));
}

export interface JwksCacheOptions {
  url?: URL | undefined;
  staticJwks?: JSONWebKeySet | undefined;
  cacheSeconds: number;
  cooldownSeconds: number;
  maxStaleSeconds: number;
  timeoutSeconds: number;
  fetch: typeof fetch;
  /** A monotonic clock, milliseconds (the verifier passes `monotonicNow`). */
  now: () => number;
  /** Told of the first failure of a run of failed fetches, and of the recovery. @default console */
  logger?: VerifierLogger;
}

export class JwksCache {
  private keyset: KeySet | undefined;
  private lastUnknownRefetch = Number.NEGATIVE_INFINITY;
  private readonly staticReady: Promise<void> | undefined;
  private readonly poller: DocumentPoller | undefined;

  constructor(private readonly options: JwksCacheOptions) {
    const { url } = options;
    if (!url && !options.staticJwks) throw new TypeError("authbridge: JwksCache needs a url or a static jwks");
    if (url) {
      this.poller = new DocumentPoller(
        {
          url,
          fetch: options.fetch,
          timeoutSeconds: options.timeoutSeconds,
          maxBytes: MAX_JWKS_BYTES,
          name: "JWKS",
          failedLine: (error) => `authbridge: the JWKS fetch failed (${error}); the last good key set serves meanwhile`,
          recoveredLine: `authbridge: the JWKS answers again (GET ${url.href})`,
          now: () => this.clock(),
          logger: options.logger ?? console,
        },
        (fetched) => this.take(fetched),
      );
    }
    if (options.staticJwks) {
      this.staticReady = parseJwks(options.staticJwks).then((keys) => {
        this.keyset = { keys, fetchedAt: this.clock(), freshUntil: Number.POSITIVE_INFINITY };
      });
    }
  }

  /** HTTP fetches made (a metric). */
  get fetchCount(): number {
    return this.poller?.fetchCount ?? 0;
  }

  /** Why the last fetch failed (URL and status or error), or undefined after a success. */
  get lastError(): string | undefined {
    return this.poller?.lastError;
  }

  /**
   * The key for `kid` when it can be answered without I/O (fresh set, known kid), else
   * `undefined`. Lets the verifier skip an await on its hot path.
   */
  peek(kid: string | undefined): VerifyKey | undefined {
    const keyset = this.keyset;
    if (!keyset) return undefined;
    const now = this.clock();
    if (now >= keyset.freshUntil - this.refreshAhead(keyset)) return undefined;
    return lookup(keyset, kid);
  }

  /** The key for `kid`; throws `AuthError` `unknown_key` or `jwks_unavailable`. */
  async getKey(kid: string | undefined): Promise<VerifyKey> {
    if (this.staticReady) await this.staticReady;
    const now = this.clock();
    let keyset = this.keyset;
    let fetched = false;
    if (!keyset || now >= keyset.freshUntil) {
      if (!this.failedRecently()) {
        await this.refresh();
        fetched = true;
      }
    } else if (now >= keyset.freshUntil - this.refreshAhead(keyset)) {
      this.refreshInBackground();
    }

    keyset = this.usable();
    if (!keyset) throw new AuthError("jwks_unavailable", { retryAfter: this.retryAfter() });
    const key = lookup(keyset, kid);
    if (key) return key;
    if (kid === undefined) throw new AuthError("unknown_key");

    const later = this.clock();
    if (!fetched && later - this.lastUnknownRefetch >= this.options.cooldownSeconds && this.poller) {
      this.lastUnknownRefetch = later;
      await this.refresh();
      const refreshed = this.usable();
      const found = refreshed ? lookup(refreshed, kid) : undefined;
      if (found) return found;
    }
    // The key set could not be refreshed: this kid may be a new key we cannot see yet.
    if (this.poller?.lastFailed) throw new AuthError("jwks_unavailable", { retryAfter: this.retryAfter() });
    throw new AuthError("unknown_key");
  }

  /** Fetch now (e.g. at start-up). Resolves to whether a usable set is cached. */
  async warm(): Promise<boolean> {
    if (this.staticReady) await this.staticReady;
    await this.refresh();
    return this.usable() !== undefined;
  }

  private clock(): number {
    return this.options.now() / 1000;
  }

  private usable(): KeySet | undefined {
    const keyset = this.keyset;
    if (!keyset || this.clock() >= keyset.freshUntil + this.options.maxStaleSeconds) return undefined;
    return keyset;
  }

  private refreshAhead(keyset: KeySet): number {
    return Math.min(60, (keyset.freshUntil - keyset.fetchedAt) * 0.2);
  }

  private failedRecently(): boolean {
    return this.poller?.failedWithin(this.options.cooldownSeconds) ?? false;
  }

  private retryAfter(): number {
    const remaining =
      this.options.cooldownSeconds - (this.clock() - (this.poller?.lastAttempt ?? Number.NEGATIVE_INFINITY));
    return Number.isFinite(remaining) ? Math.max(1, Math.ceil(remaining)) : 1;
  }

  private refreshInBackground(): void {
    this.poller?.refreshInBackground(this.options.cooldownSeconds);
  }

  private refresh(): Promise<void> {
    return this.poller?.refresh() ?? Promise.resolve();
  }

  /** A fetched JWKS in: freshness from its max-age; a 304 keeps the keys. */
  private async take(fetched: Fetched): Promise<void> {
    const previous = this.keyset;
    const now = this.clock();
    const ttl = maxAgeOf(fetched.cacheControl) ?? this.options.cacheSeconds;
    if (fetched.notModified) {
      if (!previous) throw new Error("answered 304 to a first request");
      this.keyset = { keys: previous.keys, fetchedAt: now, freshUntil: now + ttl };
    } else {
      const keys = await parseJwks(fetched.document, previous?.keys);
      this.keyset = { keys, fetchedAt: now, freshUntil: now + ttl };
    }
  }
}

function lookup(keyset: KeySet, kid: string | undefined): VerifyKey | undefined {
  if (kid !== undefined) return keyset.keys.byKid.get(kid);
  // No kid: only unambiguous when the set holds exactly one usable key (CONTRACT §2.4).
  return keyset.keys.all.length === 1 ? keyset.keys.all[0] : undefined;
}

/**
 * A document a verifier polls (the JWKS, the revocation list), fetched the one way both caches
 * fetch (python-backend's `authbridge/polled.py` is the same): single flight, `If-None-Match` with
 * the last ETag, no redirects, a timeout, the body read only up to a cap and parsed as JSON, and
 * one log line per outage and one when it ends. jwks.ts and revocations.ts decide what the
 * document means and when to ask for it.
 */
import type { VerifierLogger } from "./options.js";
import { readCapped } from "./read-capped.js";

/** What one successful fetch brought: a new document, or the word that the last one holds. */
export type Fetched =
  | { readonly notModified: true; readonly cacheControl: string | null }
  | { readonly notModified: false; readonly document: unknown; readonly cacheControl: string | null };

export interface PollerOptions {
  url: URL;
  fetch: typeof fetch;
  timeoutSeconds: number;
  /** The body is abandoned, unparsed, past this many bytes. */
  maxBytes: number;
  /** The document's name in errors (`JWKS`, `revocation list`). */
  name: string;
  /** The warning of an outage's first failure, given `GET <url>: <why>`. */
  failedLine: (error: string) => string;
  /** The info line when it answers again. */
  recoveredLine: string;
  /** The cache's clock, seconds. */
  now: () => number;
  logger: VerifierLogger;
}

export class DocumentPoller {
  /** HTTP fetches made (a metric). */
  fetchCount = 0;
  /** Why the last fetch failed (URL and status or error), or undefined after a success. */
  lastError: string | undefined;
  /** When the last fetch started, on the cache's clock. */
  lastAttempt = Number.NEGATIVE_INFINITY;
  lastFailed = false;
  private inflight: Promise<void> | undefined;
  private etag: string | undefined;

  /** `apply` takes each fetched document in (throwing refuses it: the fetch counts as failed). */
  constructor(
    private readonly options: PollerOptions,
    private readonly apply: (fetched: Fetched) => void | Promise<void>,
  ) {}

  get busy(): boolean {
    return this.inflight !== undefined;
  }

  /** Whether the last fetch failed less than `cooldown` seconds ago. */
  failedWithin(cooldown: number): boolean {
    return this.lastFailed && this.options.now() - this.lastAttempt < cooldown;
  }

  /** Single flight: every caller awaits the one fetch under way. Never rejects. */
  refresh(): Promise<void> {
    if (!this.inflight) {
      this.inflight = this.fetchOnce().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  /** A refresh nobody waits for, unless one is under way or one failed within `cooldown`. */
  refreshInBackground(cooldown: number): void {
    if (this.inflight || this.failedWithin(cooldown)) return;
    void this.refresh();
  }

  private async fetchOnce(): Promise<void> {
    const { url } = this.options;
    this.lastAttempt = this.options.now();
    this.fetchCount += 1;
    try {
      const headers: Record<string, string> = { accept: "application/json" };
      if (this.etag) headers["if-none-match"] = this.etag;
      const response = await this.options.fetch(url, {
        headers,
        redirect: "error",
        signal: AbortSignal.timeout(this.options.timeoutSeconds * 1000),
      });
      const cacheControl = response.headers.get("cache-control");
      if (response.status === 304 && this.etag) {
        await response.body?.cancel();
        await this.apply({ notModified: true, cacheControl });
      } else if (response.status === 200) {
        const body = await this.readBody(response);
        await this.apply({ notModified: false, document: JSON.parse(new TextDecoder().decode(body)), cacheControl });
        this.etag = response.headers.get("etag") ?? undefined;
      } else {
        await response.body?.cancel();
        throw new Error(`answered ${response.status}`);
      }
      if (this.lastFailed) this.options.logger.info(this.options.recoveredLine);
      this.lastFailed = false;
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `GET ${url.href}: ${error instanceof Error ? error.message : String(error)}`;
      // Once per outage: the cache retries on its own, and every request would repeat the line.
      if (!this.lastFailed) this.options.logger.warn(this.options.failedLine(this.lastError));
      this.lastFailed = true;
    }
  }

  /** The body, read only up to the cap: a huge or endless one costs nothing. */
  private async readBody(response: Response): Promise<Uint8Array> {
    const { maxBytes, name } = this.options;
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new Error(`${name} larger than ${maxBytes} bytes`);
    }
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array(0);
    const body = await readCapped(reader, maxBytes);
    if (!body) {
      await reader.cancel();
      throw new Error(`${name} larger than ${maxBytes} bytes`);
    }
    return body;
  }
}

/**
 * A bounded LRU of verified tokens, keyed by the token itself. A hit skips parsing and the
 * signature; it is still refused once the token expires (with the same leeway as a fresh
 * verification) or once its key leaves the key set. Only successful verifications enter it.
 */
import type { VerifyKey } from "./keys.js";
import type { Principal } from "./principal.js";

interface Entry {
  readonly principal: Principal;
  readonly kid: string | undefined;
  /** The key that verified it: a hit counts only while the set still maps `kid` to it. */
  readonly key: VerifyKey;
  /** `exp + leeway`, seconds: from then on the token is expired. */
  readonly expiresAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached principal if the entry is still within its lifetime; `now` in seconds. */
  get(token: string, now: number): Entry | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    // Re-insert to mark it most recently used (Map keeps insertion order).
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: Entry): void {
    if (this.capacity === 0) return;
    this.entries.delete(token);
    this.entries.set(token, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}

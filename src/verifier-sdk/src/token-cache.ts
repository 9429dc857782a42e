/**
 * A bounded cache of verified tokens (second-chance eviction, below), keyed by the token itself. A hit skips parsing and the
 * signature; it is still refused once the token expires (with the same leeway as a fresh
 * verification) or once its key leaves the key set. Only successful verifications enter it.
 * Python's `token_cache.py` has the same rules over an LRU (`OrderedDict.move_to_end` is O(1) in C).
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

/** A cache slot; `used` is the second-chance bit a hit sets (no reordering, no allocation). */
interface Slot {
  readonly entry: Entry;
  used: boolean;
}

/**
 * Second-chance ("CLOCK") eviction: a hit only sets a bit, so one hot token costs a `Map.get`
 * however full the cache is. Re-inserting on every hit (the textbook Map LRU) made a hot token
 * 70 times slower at 9,000 entries. Eviction walks from the oldest, moving recently used
 * entries to the back once: amortised O(1), and close to LRU in what it keeps.
 */
export class TokenCache {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly capacity: number) {}

  /** The cached principal if the entry is still within its lifetime; `now` in seconds. */
  get(token: string, now: number): Entry | undefined {
    const slot = this.slots.get(token);
    if (!slot) return undefined;
    if (now >= slot.entry.expiresAt) {
      this.slots.delete(token);
      return undefined;
    }
    slot.used = true;
    return slot.entry;
  }

  set(token: string, entry: Entry): void {
    if (this.capacity === 0) return;
    this.slots.delete(token);
    this.slots.set(token, { entry, used: false });
    if (this.slots.size > this.capacity) this.evictOne();
  }

  delete(token: string): void {
    this.slots.delete(token);
  }

  private evictOne(): void {
    for (;;) {
      const oldest = this.slots.entries().next().value;
      if (!oldest) return;
      const [token, slot] = oldest;
      this.slots.delete(token);
      if (!slot.used) return;
      slot.used = false;
      this.slots.set(token, slot);
    }
  }
}

/**
 * Redis, when `REDIS_URL` is set: what replicas must share and read fast, namely rate-limit
 * counters (`rate-limit.ts`) and Better Auth's secondary storage (the session cache). Without it
 * a single process keeps both in memory and its database.
 */
import type { BetterAuthOptions } from "better-auth";
import { Redis } from "ioredis";
import type { Logger } from "./logger.js";

export interface RedisHandle {
  readonly client: Redis;
  /** Better Auth's `secondaryStorage`, keys prefixed so a shared Redis stays tidy. */
  readonly storage: SecondaryStorage;
  ping(): Promise<void>;
  close(): Promise<void>;
}

type SecondaryStorage = NonNullable<BetterAuthOptions["secondaryStorage"]>;

const PREFIX = "authbridge:ba:";

export function openRedis(url: string, log: Logger): RedisHandle {
  const client = new Redis(url, {
    // Fail a command fast while Redis is away instead of queueing it: a request must not hang.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
  });
  let down = false;
  client.on("error", (error: Error) => {
    if (!down) log.error("redis unreachable", { error: error.name, reason: error.message.split("\n")[0] });
    down = true;
  });
  client.on("ready", () => {
    if (down) log.info("redis reachable again");
    down = false;
  });
  const storage: SecondaryStorage = {
    get: (key) => client.get(PREFIX + key),
    getAndDelete: (key) => client.getdel(PREFIX + key),
    increment: async (key, ttl) => {
      // The TTL is set when the counter is created and never extended (a fixed window).
      const results = await client
        .multi()
        .set(PREFIX + key, 0, "EX", Math.max(1, Math.ceil(ttl)), "NX")
        .incr(PREFIX + key)
        .exec();
      return Number(results?.[1]?.[1] ?? 0);
    },
    set: async (key, value, ttl) => {
      if (ttl && ttl > 0) await client.set(PREFIX + key, value, "EX", Math.ceil(ttl));
      else await client.set(PREFIX + key, value);
    },
    delete: async (key) => {
      await client.del(PREFIX + key);
    },
  };
  return {
    client,
    storage,
    ping: async () => {
      await client.ping();
    },
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * Tells running servers that the signing keys changed (`keys:rotate`, `keys:revoke`, or a
 * rotation on another replica), so none of them keeps signing with a retired or revoked key
 * for its key-cache interval. PostgreSQL: `NOTIFY` on a channel every server `LISTEN`s on (sent
 * when the change is committed). SQLite (one machine): its `data_version`, which moves when
 * another connection commits, is checked before each signature (`AuthDatabase.changedElsewhere`).
 * Replicas always share the database, so no other channel (Redis) is needed.
 */
import pg from "pg";
import type { AuthDatabase } from "./database.js";
import type { Logger } from "./logger.js";

const CHANNEL = "authbridge_signing_keys";
const RECONNECT_MS = 1_000;

/** Announces a key change to every listening server (PostgreSQL; SQLite needs no message). */
export async function announceKeyChange(database: AuthDatabase): Promise<void> {
  if (database.kind !== "postgres") return;
  await (database.handle as pg.Pool).query("select pg_notify($1, '')", [CHANNEL]);
}

export interface KeyChangeListener {
  close(): Promise<void>;
}

/**
 * Calls `onChange` whenever another process announces a key change, and after every reconnect
 * (a change may have been missed while the connection was down).
 */
export async function listenForKeyChanges(
  databaseUrl: string | undefined,
  log: Logger,
  onChange: () => void,
): Promise<KeyChangeListener> {
  if (!databaseUrl) return { close: async () => {} };
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (first: boolean): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on("notification", (message) => {
      if (message.channel === CHANNEL) onChange();
    });
    const lost = () => {
      if (closed || client !== next) return;
      client = undefined;
      log.warn("key change channel lost; reconnecting", { event: "keys.listen_lost" });
      retry = setTimeout(() => void connect(false).catch(() => {}), RECONNECT_MS);
      retry.unref();
    };
    next.on("error", lost);
    next.on("end", lost);
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${CHANNEL}`);
      if (!first) onChange();
    } catch (error) {
      if (first) {
        client = undefined;
        await next.end().catch(() => {});
        throw error;
      }
      lost();
    }
  };
  await connect(true);
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

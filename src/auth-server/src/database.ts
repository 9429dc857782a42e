/**
 * Opens the auth database: an embedded SQLite file by default, PostgreSQL when
 * `AUTH_DATABASE_URL` (or `DATABASE_URL`) is a postgres:// URL. Better Auth takes either handle as it is.
 */
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { AuthServerConfig } from "./config.js";
import { ensurePrivateDir, ensurePrivateFile, tightenIfPresent } from "./private-files.js";

export interface AuthDatabase {
  readonly kind: "sqlite" | "postgres";
  /** The handle Better Auth's Kysely adapter detects by itself. */
  readonly handle: Database.Database | pg.Pool;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Whether another connection committed since the last call (SQLite's `data_version`): another
   * process on this machine changed the data, the signing keys perhaps. Always false on
   * PostgreSQL, where key changes are announced (key-events.ts).
   */
  changedElsewhere(): boolean;
  close(): Promise<void>;
}

/**
 * Kysely's SQLite driver prepares every query anew; Better Auth's queries are a small fixed
 * set, so keep each compiled statement (bounded) and reuse it. A statement is only ever run
 * synchronously to completion (`all`/`get`/`run`), so sharing one is safe.
 */
function cacheStatements(db: Database.Database, limit = 256): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  }) as typeof db.prepare;
}

export function openDatabase(config: Pick<AuthServerConfig, "databaseUrl" | "sqlitePath">): AuthDatabase {
  if (config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
    // An idle client losing its connection must not crash the process.
    pool.on("error", () => {});
    return {
      kind: "postgres",
      handle: pool,
      ping: async () => {
        await pool.query("select 1");
      },
      changedElsewhere: () => false,
      close: () => pool.end(),
    };
  }
  // Live session tokens: the folder 0700 and the file 0600 before SQLite opens it (its -wal and
  // -shm files take the database file's mode), corrected if an older install left them looser.
  ensurePrivateDir(path.dirname(config.sqlitePath));
  ensurePrivateFile(config.sqlitePath);
  for (const suffix of ["-wal", "-shm"]) tightenIfPresent(`${config.sqlitePath}${suffix}`);
  const db = new Database(config.sqlitePath);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  cacheStatements(db);
  const dataVersion = db.prepare("pragma data_version").pluck();
  let seen = dataVersion.get();
  return {
    kind: "sqlite",
    handle: db,
    ping: async () => {
      db.prepare("select 1").get();
    },
    changedElsewhere: () => {
      const now = dataVersion.get();
      if (now === seen) return false;
      seen = now;
      return true;
    },
    close: async () => {
      db.close();
    },
  };
}

let processLock: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` holding a lock shared by every replica on the same PostgreSQL (an advisory lock on
 * `lockId`, any 64-bit number), and by this process's own callers always. SQLite has one process.
 */
export async function withDatabaseLock<T>(database: AuthDatabase, lockId: string, work: () => Promise<T>): Promise<T> {
  const run = async () => {
    if (database.kind !== "postgres") return work();
    const client = await (database.handle as pg.Pool).connect();
    try {
      await client.query("select pg_advisory_lock($1)", [lockId]);
      try {
        return await work();
      } finally {
        await client.query("select pg_advisory_unlock($1)", [lockId]);
      }
    } finally {
      client.release();
    }
  };
  const result = processLock.then(run, run);
  processLock = result.catch(() => undefined);
  return result;
}

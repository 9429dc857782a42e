/**
 * Creates or updates Better Auth's tables in code. The Better Auth CLI needs Node ≥ 22.12,
 * and running this at every start-up keeps a fresh clone to one command. Replicas starting
 * together take turns (a PostgreSQL advisory lock): the second finds the tables made.
 */
import { getMigrations } from "better-auth/db/migration";
import type { Auth } from "./auth.js";
import { type AuthDatabase, withDatabaseLock } from "./database.js";

/** Any 64-bit number unique to this lock; "authmigr" in ASCII. */
const MIGRATION_LOCK_ID = "7022647185815201650";

export async function migrate(auth: Auth, database: AuthDatabase): Promise<void> {
  await withDatabaseLock(database, MIGRATION_LOCK_ID, async () => {
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
  });
}

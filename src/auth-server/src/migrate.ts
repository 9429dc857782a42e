/**
 * Creates or updates Better Auth's tables in code. The Better Auth CLI needs Node ≥ 22.12,
 * and running this at every start-up keeps a fresh clone to one command.
 */
import { getMigrations } from "better-auth/db/migration";
import type { Auth } from "./auth.js";

export async function migrate(auth: Auth): Promise<void> {
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
}

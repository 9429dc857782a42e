/** Opens the store `TASKS_DATABASE_URL` names: `sqlite:///path` (or a bare path) or `postgres(ql)://…`. */
import { PostgresTaskStore } from "./postgres.js";
import { SqliteTaskStore } from "./sqlite.js";
import type { TaskStore } from "./types.js";

export { PostgresTaskStore } from "./postgres.js";
export { SqliteTaskStore } from "./sqlite.js";
export { type ListQuery, StoreBusyError, type Task, type TaskStore } from "./types.js";

export function openStore(
  databaseUrl: string,
  options: { maxConnections?: number; busyTimeoutMs?: number } = {},
): TaskStore {
  if (/^postgres(ql)?:\/\//.test(databaseUrl))
    return new PostgresTaskStore(databaseUrl, { max: options.maxConnections });
  // As SQLAlchemy reads it: sqlite:///relative/path, sqlite:////absolute/path.
  return new SqliteTaskStore(
    databaseUrl.startsWith("sqlite:///") ? databaseUrl.slice("sqlite:///".length) : databaseUrl,
    { busyTimeoutMs: options.busyTimeoutMs },
  );
}

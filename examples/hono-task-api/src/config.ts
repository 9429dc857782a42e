/** Task API settings, read once (the verifier reads its own `AUTH_*` settings). */
import path from "node:path";

export interface TaskApiConfig {
  readonly host: string;
  readonly port: number;
  /** SQLite file of the tasks. */
  readonly sqlitePath: string;
  /** Browser origins allowed by CORS (`CORS_ORIGINS`, comma list). */
  readonly corsOrigins: readonly string[];
}

export function loadConfig(env: Record<string, string | undefined>): TaskApiConfig {
  const port = Number(env.PORT ?? 8001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError("PORT must be a port number");
  return Object.freeze({
    host: env.HOST || "127.0.0.1",
    port,
    sqlitePath: path.resolve(env.TASKS_SQLITE_PATH || "data/tasks-ts.sqlite"),
    corsOrigins: Object.freeze(
      (env.CORS_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  });
}

/** Task API settings, read once (the verifier reads its own `AUTH_*` settings). */
import path from "node:path";

export interface TaskApiConfig {
  readonly host: string;
  readonly port: number;
  /** `TASKS_DATABASE_URL`: `sqlite:///path` or `postgres://…` (fallback: `TASKS_SQLITE_PATH`, a file). */
  readonly databaseUrl: string;
  /** Connections this process may hold on PostgreSQL (`TASKS_DB_MAX_CONNECTIONS`). @default 10 */
  readonly maxConnections: number;
  /** Browser origins allowed by CORS (`CORS_ORIGINS`, comma list). */
  readonly corsOrigins: readonly string[];
  /** Largest request body in bytes (`MAX_BODY_BYTES`, 0 = no limit). @default 65536 */
  readonly maxBodyBytes: number;
  /** SQLite: longest wait for the write lock, ms (`TASKS_DB_BUSY_TIMEOUT_SECONDS`). @default 5000 */
  readonly busyTimeoutMs: number;
  /**
   * Whether the admin routes demand a second factor: `MFA_REQUIRED_ROLES` (comma list) names
   * `admin`; unset, `ENVIRONMENT` (or `NODE_ENV`) `production` does.
   */
  readonly adminRequiresMfa: boolean;
}

const ENVIRONMENTS = new Set(["development", "production", "test"]);

/** `MFA_REQUIRED_ROLES`, or the environment's default (admins in production), as python-backend reads it. */
function adminRequiresMfa(env: Record<string, string | undefined>): boolean {
  const environment = env.ENVIRONMENT || env.NODE_ENV || "development";
  if (!ENVIRONMENTS.has(environment)) throw new TypeError("ENVIRONMENT must be development, production or test");
  const roles = env.MFA_REQUIRED_ROLES;
  if (roles === undefined) return environment === "production";
  return roles
    .split(",")
    .map((role) => role.trim())
    .includes("admin");
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new TypeError(`${name} must be an integer 0-${max}`);
  return value;
}

function seconds(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 120) throw new TypeError(`${name} must be seconds in (0, 120]`);
  return value;
}

export function loadConfig(env: Record<string, string | undefined>): TaskApiConfig {
  const file = path.resolve(env.TASKS_SQLITE_PATH || "data/tasks-ts.sqlite");
  return Object.freeze({
    host: env.HOST || "127.0.0.1",
    port: positiveInt(env, "PORT", 8001, 65535),
    databaseUrl: env.TASKS_DATABASE_URL || `sqlite:///${file}`,
    maxConnections: Math.max(1, positiveInt(env, "TASKS_DB_MAX_CONNECTIONS", 10, 1000)),
    maxBodyBytes: positiveInt(env, "MAX_BODY_BYTES", 65_536, 2 ** 31) || Number.POSITIVE_INFINITY,
    busyTimeoutMs: seconds(env, "TASKS_DB_BUSY_TIMEOUT_SECONDS", 5) * 1000,
    adminRequiresMfa: adminRequiresMfa(env),
    corsOrigins: Object.freeze(
      (env.CORS_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  });
}

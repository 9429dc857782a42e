/**
 * Auth server configuration, parsed once from the environment (CONTRACT §5) into a frozen
 * object. A wrong value fails here, at start-up, naming the variable; nothing reads
 * `process.env` after this.
 */
import path from "node:path";
import { z } from "zod";
import { type AdminAddress, parseAdminAddress } from "./admin-emails.js";
import { proxyEntryKind } from "./client-ip.js";
import { ConfigError } from "./errors.js";
import { splitList } from "./list.js";
import { ADMIN_ROLE, ROLES } from "./roles.js";
import { resolveSecret, type VersionedSecret } from "./secret.js";

export { ConfigError };

const positiveInt = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value <= 0) {
        ctx.addIssue({ code: "custom", message: `${name} must be a positive whole number of seconds` });
        return z.NEVER;
      }
      return value;
    });

const origin = (name: string) =>
  z.string().transform((raw, ctx) => {
    try {
      return new URL(raw).origin;
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} must be an absolute URL` });
      return z.NEVER;
    }
  });

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Unset: `http://<HOST, or 127.0.0.1 for a wildcard>:<PORT>`, the address this server listens on. */
  BETTER_AUTH_URL: z.string().optional(),
  BETTER_AUTH_SECRET: z.string().optional(),
  BETTER_AUTH_SECRETS: z.string().optional(),
  AUTH_DATABASE_URL: z.string().optional(),
  /** Fallback for AUTH_DATABASE_URL (the name many hosts set). */
  DATABASE_URL: z.string().optional(),
  TRUSTED_ORIGINS: z.string().optional(),
  TRUST_PROXY_HEADER: z.string().optional(),
  TRUSTED_PROXIES: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_TTL_SECONDS: positiveInt("JWT_TTL_SECONDS", 900),
  JWT_KEY_ROTATION_SECONDS: positiveInt("JWT_KEY_ROTATION_SECONDS", 0).optional(),
  JWT_KEY_GRACE_SECONDS: positiveInt("JWT_KEY_GRACE_SECONDS", 30 * 24 * 3600),
  JWKS_MAX_AGE_SECONDS: positiveInt("JWKS_MAX_AGE_SECONDS", 300),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt("RATE_LIMIT_WINDOW_SECONDS", 10),
  RATE_LIMIT_MAX: positiveInt("RATE_LIMIT_MAX", 100),
  RATE_LIMIT_SIGN_IN_WINDOW_SECONDS: positiveInt("RATE_LIMIT_SIGN_IN_WINDOW_SECONDS", 60),
  RATE_LIMIT_SIGN_IN_MAX: positiveInt("RATE_LIMIT_SIGN_IN_MAX", 10),
  DATA_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  ADMIN_EMAILS: z.string().optional(),
  REDIS_URL: z.string().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().optional(),
  REQUIRE_EMAIL_VERIFICATION: z.enum(["true", "false", ""]).optional(),
  PASSWORD_RESET_TTL_SECONDS: positiveInt("PASSWORD_RESET_TTL_SECONDS", 900),
  EMAIL_VERIFICATION_TTL_SECONDS: positiveInt("EMAIL_VERIFICATION_TTL_SECONDS", 24 * 3600),
  JWT_KEY_CACHE_SECONDS: positiveInt("JWT_KEY_CACHE_SECONDS", 5),
  CLIENT_TOKEN_TTL_SECONDS: positiveInt("CLIENT_TOKEN_TTL_SECONDS", 3600),
  CLIENT_TOKEN_RATE_LIMIT_WINDOW_SECONDS: positiveInt("CLIENT_TOKEN_RATE_LIMIT_WINDOW_SECONDS", 60),
  CLIENT_TOKEN_RATE_LIMIT_MAX: positiveInt("CLIENT_TOKEN_RATE_LIMIT_MAX", 60),
  TWO_FACTOR_RATE_LIMIT_WINDOW_SECONDS: positiveInt("TWO_FACTOR_RATE_LIMIT_WINDOW_SECONDS", 60),
  TWO_FACTOR_RATE_LIMIT_MAX: positiveInt("TWO_FACTOR_RATE_LIMIT_MAX", 5),
  MFA_REQUIRED_ROLES: z.string().optional(),
});

/** The longest a machine client's token may live: a stolen one is useful for at most a day. */
export const MAX_CLIENT_TOKEN_TTL_SECONDS = 24 * 3600;

/** The demo frontend's origins, trusted by default outside production (CONTRACT §5). */
const DEVELOPMENT_ORIGINS = ["http://127.0.0.1:5173", "http://localhost:5173"];

export interface AuthServerConfig {
  readonly nodeEnv: "development" | "production" | "test";
  readonly host: string;
  readonly port: number;
  /** Public origin of the auth server; always set so `iss`/`aud` never follow a Host header. */
  readonly baseURL: string;
  readonly secret: string;
  readonly secrets: readonly VersionedSecret[] | undefined;
  /** `undefined` → SQLite file `sqlitePath`. */
  readonly databaseUrl: string | undefined;
  readonly sqlitePath: string;
  readonly dataDir: string;
  readonly trustedOrigins: readonly string[];
  /** Lower-case header name whose value is the client IP, or `undefined` for the socket address. */
  readonly trustProxyHeader: string | undefined;
  /** The proxies whose `trustProxyHeader` is believed: addresses, CIDR blocks or host names. */
  readonly trustedProxies: readonly string[];
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string | string[];
    readonly ttlSeconds: number;
    readonly rotationSeconds: number | undefined;
    readonly graceSeconds: number;
    /** How long an imported signing key is used before the live key is looked up again. */
    readonly keyCacheSeconds: number;
  };
  readonly jwksMaxAgeSeconds: number;
  readonly rateLimit: {
    readonly windowSeconds: number;
    readonly max: number;
    readonly signInWindowSeconds: number;
    readonly signInMax: number;
  };
  readonly logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Addresses whose accounts get the `admin` role once verified (admin-emails.ts). */
  readonly adminEmails: readonly AdminAddress[];
  /** Rate-limit counters and the session cache, shared by replicas; `undefined` → in process. */
  readonly redisUrl: string | undefined;
  readonly mail: {
    /** `undefined` → mail is not sent (logged as such). */
    readonly smtpUrl: string | undefined;
    readonly from: string;
  };
  /** Sign-in waits for a verified email; sign-up then answers alike for new and existing emails. */
  readonly requireEmailVerification: boolean;
  readonly passwordResetTtlSeconds: number;
  readonly emailVerificationTtlSeconds: number;
  /** Machine clients (OAuth client credentials, clients/). */
  readonly clients: {
    /** `exp - iat` of a client's access token. */
    readonly tokenTtlSeconds: number;
    /** Tokens one client may get per window, shared across replicas through Redis. */
    readonly rateLimitMax: number;
    readonly rateLimitWindowSeconds: number;
  };
  /** Second factors (two-factor/). */
  readonly twoFactor: {
    /** `/two-factor/*` calls per window, per client IP and per account alike. */
    readonly rateLimitMax: number;
    readonly rateLimitWindowSeconds: number;
    /** `MFA_REQUIRED_ROLES`: holders of these roles step up for the operations they open (`admin`: /admin/*). */
    readonly mfaRequiredRoles: readonly string[];
  };
}

export interface LoadConfigOptions {
  /** Where the SQLite file and the development secret live. @default `DATA_DIR`, else `./data` */
  dataDir?: string;
}

/**
 * Parses the environment once. Throws {@link ConfigError} with one line per bad variable.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): AuthServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join("; ")}`);
  }
  const e = parsed.data;
  const baseURL = parseOrigin("BETTER_AUTH_URL", e.BETTER_AUTH_URL || listenUrl(e.HOST, e.PORT));
  const dataDir = path.resolve(options.dataDir ?? (e.DATA_DIR || "data"));
  const { secret, secrets } = resolveSecret({
    production: e.NODE_ENV === "production",
    secret: e.BETTER_AUTH_SECRET,
    secrets: e.BETTER_AUTH_SECRETS,
    dataDir,
  });
  const databaseUrl = e.AUTH_DATABASE_URL || e.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const name = e.AUTH_DATABASE_URL ? "AUTH_DATABASE_URL" : "DATABASE_URL";
    throw new ConfigError(`invalid configuration: ${name} must be a postgres:// URL (unset means SQLite)`);
  }
  const trusted = e.TRUSTED_ORIGINS
    ? splitList(e.TRUSTED_ORIGINS).map((o) => parseOrigin("TRUSTED_ORIGINS", o))
    : e.NODE_ENV === "production"
      ? []
      : DEVELOPMENT_ORIGINS;
  const audiences = e.JWT_AUDIENCE ? splitList(e.JWT_AUDIENCE) : [baseURL];
  // On in production, off in development, unless said otherwise.
  const requireVerification = e.REQUIRE_EMAIL_VERIFICATION
    ? e.REQUIRE_EMAIL_VERIFICATION === "true"
    : e.NODE_ENV === "production";
  if (requireVerification && e.NODE_ENV === "production" && !e.SMTP_URL?.trim()) {
    throw new ConfigError(
      "invalid configuration: SMTP_URL is required in production while email verification is on (REQUIRE_EMAIL_VERIFICATION)",
    );
  }
  if (e.CLIENT_TOKEN_TTL_SECONDS > MAX_CLIENT_TOKEN_TTL_SECONDS) {
    throw new ConfigError(
      `invalid configuration: CLIENT_TOKEN_TTL_SECONDS: at most ${MAX_CLIENT_TOKEN_TTL_SECONDS} (24 hours)`,
    );
  }
  const config: AuthServerConfig = {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    baseURL,
    secret,
    secrets,
    databaseUrl,
    sqlitePath: path.join(dataDir, "auth.sqlite"),
    dataDir,
    trustedOrigins: [...new Set([baseURL, ...trusted])],
    ...parseProxyTrust(e.TRUST_PROXY_HEADER, e.TRUSTED_PROXIES),
    jwt: {
      issuer: e.JWT_ISSUER || baseURL,
      audience: audiences.length === 1 ? (audiences[0] as string) : audiences,
      ttlSeconds: e.JWT_TTL_SECONDS,
      rotationSeconds: e.JWT_KEY_ROTATION_SECONDS || undefined,
      graceSeconds: e.JWT_KEY_GRACE_SECONDS,
      keyCacheSeconds: e.JWT_KEY_CACHE_SECONDS,
    },
    jwksMaxAgeSeconds: e.JWKS_MAX_AGE_SECONDS,
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      max: e.RATE_LIMIT_MAX,
      signInWindowSeconds: e.RATE_LIMIT_SIGN_IN_WINDOW_SECONDS,
      signInMax: e.RATE_LIMIT_SIGN_IN_MAX,
    },
    logLevel: e.LOG_LEVEL,
    adminEmails: parseEmails(e.ADMIN_EMAILS),
    redisUrl: parseRedisUrl(e.REDIS_URL),
    mail: {
      smtpUrl: e.SMTP_URL?.trim() || undefined,
      from: e.MAIL_FROM?.trim() || `authbridge <no-reply@${new URL(baseURL).hostname}>`,
    },
    requireEmailVerification: requireVerification,
    passwordResetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
    emailVerificationTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
    clients: {
      tokenTtlSeconds: e.CLIENT_TOKEN_TTL_SECONDS,
      rateLimitMax: e.CLIENT_TOKEN_RATE_LIMIT_MAX,
      rateLimitWindowSeconds: e.CLIENT_TOKEN_RATE_LIMIT_WINDOW_SECONDS,
    },
    twoFactor: {
      rateLimitMax: e.TWO_FACTOR_RATE_LIMIT_MAX,
      rateLimitWindowSeconds: e.TWO_FACTOR_RATE_LIMIT_WINDOW_SECONDS,
      // Unset: admins step up in production; a development stack asks nobody.
      mfaRequiredRoles: parseMfaRoles(e.MFA_REQUIRED_ROLES, e.NODE_ENV),
    },
  };
  return deepFreeze(config);
}

/** The URL a server started with only HOST and PORT answers on (a wildcard host → loopback). */
function listenUrl(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${name.includes(":") ? `[${name}]` : name}:${port}`;
}

function parseProxyTrust(
  rawHeader: string | undefined,
  rawProxies: string | undefined,
): { trustProxyHeader: string | undefined; trustedProxies: string[] } {
  const header = rawHeader?.trim().toLowerCase() || undefined;
  const proxies = splitList(rawProxies);
  const bad = proxies.find((entry) => proxyEntryKind(entry) === undefined);
  if (bad !== undefined) {
    throw new ConfigError(`invalid configuration: TRUSTED_PROXIES: "${bad}" is no address, CIDR block or host name`);
  }
  if (header && proxies.length === 0) {
    // Believing the header from anyone lets every client pick its own rate-limit bucket.
    throw new ConfigError(
      "invalid configuration: TRUST_PROXY_HEADER needs TRUSTED_PROXIES, the addresses (or host names) of the proxies that set it",
    );
  }
  return { trustProxyHeader: header, trustedProxies: proxies };
}

/** Unset: admins step up in production, nobody in development. An unknown role is a typo, refused. */
function parseMfaRoles(raw: string | undefined, nodeEnv: string): string[] {
  if (raw === undefined) return nodeEnv === "production" ? [ADMIN_ROLE] : [];
  const roles = splitList(raw);
  const unknown = roles.find((role) => !(ROLES as string[]).includes(role));
  if (unknown !== undefined) {
    throw new ConfigError(
      `invalid configuration: MFA_REQUIRED_ROLES: "${unknown}" is not a role (${ROLES.join(", ")})`,
    );
  }
  return [...new Set(roles)];
}

function parseRedisUrl(raw: string | undefined): string | undefined {
  if (!raw?.trim()) return undefined;
  if (!/^rediss?:\/\/[^/]/.test(raw.trim())) {
    throw new ConfigError(
      "invalid configuration: REDIS_URL must be a redis:// or rediss:// URL (unset means in-process)",
    );
  }
  return raw.trim();
}

function parseEmails(raw: string | undefined): AdminAddress[] {
  return splitList(raw).map((email) => {
    const address = parseAdminAddress(email);
    if (!address) throw new ConfigError(`invalid configuration: ADMIN_EMAILS: "${email}" is not an email address`);
    return address;
  });
}

function parseOrigin(name: string, raw: string): string {
  const result = origin(name).safeParse(raw);
  if (!result.success) throw new ConfigError(`invalid configuration: ${name}: must be an absolute URL`);
  return result.data;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

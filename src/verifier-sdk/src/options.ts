/**
 * Verifier options: one type, defaults in one constant, validated once when the verifier is
 * built (a mistake is a `ConfigError` naming the option, never a 401 at request time). The env
 * names are the contract's `AUTH_*` (contract.json `verifierSettings`, which the drift test holds
 * this file and Python's `AuthSettings` to), read by {@link optionsFromEnv}.
 */
import type { JSONWebKeySet } from "jose";
import { ConfigError } from "./errors.js";

/**
 * The only algorithms an Ed25519 key verifies: `EdDSA` and its RFC 9864 name `Ed25519`.
 *
 * @example
 * createVerifier({ serverUrl, algorithms: ["EdDSA"] }); // a subset of SUPPORTED_ALGORITHMS
 */
export const SUPPORTED_ALGORITHMS = ["EdDSA", "Ed25519"] as const;
/**
 * One of `SUPPORTED_ALGORITHMS`.
 *
 * @example
 * const algorithms: SupportedAlgorithm[] = ["EdDSA"];
 */
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/**
 * What `createVerifier` takes; `optionsFromEnv` reads the same from `AUTH_*` (Python: `AuthSettings`).
 *
 * @example
 * const options: VerifierOptions = { serverUrl: "https://auth.example.com", audience: "task-api" };
 */
export interface VerifierOptions {
  /**
   * The auth server's public URL (`AUTH_SERVER_URL`): derives `jwksUrl` (`<url>/api/auth/jwks`),
   * `issuer` and `audience` (its origin) where those are not given.
   */
  serverUrl?: string | URL;
  /** Where the JWKS is fetched (`AUTH_JWKS_URL`). Required unless `jwks` or `serverUrl` is given. */
  jwksUrl?: string | URL;
  /** A static key set instead of a URL (`AUTH_JWKS`, JSON): for tests and air-gapped services. */
  jwks?: JSONWebKeySet;
  /** Exact expected `iss` (`AUTH_ISSUER`). Default: the origin of `serverUrl`. */
  issuer?: string;
  /** Accepted `aud` values (`AUTH_AUDIENCE`, comma list): any one matches. Default: the origin of `serverUrl`. */
  audience?: string | readonly string[];
  /** Allowed header `alg` values (`AUTH_ALGORITHMS`). @default ["EdDSA", "Ed25519"] */
  algorithms?: readonly SupportedAlgorithm[];
  /** Clock tolerance for exp / nbf / iat, in seconds. @default 5 */
  leewaySeconds?: number;
  /** Key-set freshness when the JWKS response has no usable max-age, in seconds. @default 300 */
  jwksCacheSeconds?: number;
  /** Least time between two refetches caused by unknown kids, in seconds. @default 30 */
  jwksCooldownSeconds?: number;
  /** How long the last good key set serves while the JWKS is unreachable, in seconds. @default 86400 */
  jwksMaxStaleSeconds?: number;
  /** JWKS fetch timeout, in seconds. @default 5 */
  jwksTimeoutSeconds?: number;
  /** Verified tokens remembered (bounded, dropped at `exp` or when their key leaves the set); 0 disables. @default 10000 */
  tokenCacheSize?: number;
  /** The fetch used for the JWKS. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Wall clock in milliseconds, for `exp` / `nbf` / `iat`. @default Date.now */
  now?: () => number;
  /**
   * Monotonic clock in milliseconds, for the JWKS cache's freshness, cooldown and staleness (a
   * wall clock that jumps must not expire or revive keys). @default performance.now, or `now`
   * when only that is given, so one fake clock drives a test.
   */
  monotonicNow?: () => number;
  /**
   * Where the verifier reports what an operator must see (never a token): the first failure of
   * a JWKS fetch (URL and status) and its recovery, and once per distinct pair a token refused
   * for its issuer or audience (expected and received). Python logs the same lines to the
   * `authbridge` logger. @default console
   */
  logger?: VerifierLogger;
}

/**
 * The two levels the verifier logs at.
 *
 * @example
 * createVerifier({ serverUrl, logger: { warn: (m) => log.warn(m), info: (m) => log.info(m) } });
 */
export interface VerifierLogger {
  warn(message: string): void;
  info(message: string): void;
}

/** Each option set from the environment, and its `AUTH_*` variable (Python's field is the same name in snake_case). */
export const OPTION_ENV = Object.freeze({
  serverUrl: "AUTH_SERVER_URL",
  jwksUrl: "AUTH_JWKS_URL",
  jwks: "AUTH_JWKS",
  issuer: "AUTH_ISSUER",
  audience: "AUTH_AUDIENCE",
  algorithms: "AUTH_ALGORITHMS",
  leewaySeconds: "AUTH_LEEWAY_SECONDS",
  jwksCacheSeconds: "AUTH_JWKS_CACHE_SECONDS",
  jwksCooldownSeconds: "AUTH_JWKS_COOLDOWN_SECONDS",
  jwksMaxStaleSeconds: "AUTH_JWKS_MAX_STALE_SECONDS",
  jwksTimeoutSeconds: "AUTH_JWKS_TIMEOUT_SECONDS",
  tokenCacheSize: "AUTH_TOKEN_CACHE_SIZE",
} satisfies Partial<Record<keyof VerifierOptions, string>>);

/** The options the environment sets as numbers. */
const NUMERIC = [
  "leewaySeconds",
  "jwksCacheSeconds",
  "jwksCooldownSeconds",
  "jwksMaxStaleSeconds",
  "jwksTimeoutSeconds",
  "tokenCacheSize",
] as const;

export const DEFAULTS = Object.freeze({
  algorithms: SUPPORTED_ALGORITHMS,
  leewaySeconds: 5,
  jwksCacheSeconds: 300,
  jwksCooldownSeconds: 30,
  jwksMaxStaleSeconds: 86_400,
  jwksTimeoutSeconds: 5,
  tokenCacheSize: 10_000,
});

export interface ResolvedOptions {
  readonly jwksUrl: URL | undefined;
  readonly jwks: JSONWebKeySet | undefined;
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: ReadonlySet<string>;
  readonly leewaySeconds: number;
  readonly jwksCacheSeconds: number;
  readonly jwksCooldownSeconds: number;
  readonly jwksMaxStaleSeconds: number;
  readonly jwksTimeoutSeconds: number;
  readonly tokenCacheSize: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly monotonicNow: () => number;
  readonly logger: VerifierLogger;
}

function seconds(name: string, value: number | undefined, fallback: number, min: number, max = Infinity): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(
      `authbridge: ${name} must be a number of seconds from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return v;
}

const csv = (value: string | readonly string[]): string[] =>
  (typeof value === "string" ? value.split(",") : [...value]).map((item) => item.trim()).filter(Boolean);

/** `serverUrl`'s JWKS URL and origin, or nothing without one. */
function fromServerUrl(serverUrl: string | URL | undefined): { jwksUrl?: string; origin?: string } {
  if (serverUrl === undefined || serverUrl === "") return {};
  const url = URL.canParse(serverUrl) ? new URL(serverUrl) : undefined;
  if (url?.protocol !== "https:" && url?.protocol !== "http:") {
    throw new ConfigError(`authbridge: serverUrl must be an http(s) URL, got ${String(serverUrl)}`);
  }
  return { jwksUrl: `${String(serverUrl).replace(/\/+$/, "")}/api/auth/jwks`, origin: url.origin };
}

/** Validates and freezes the options; throws `ConfigError` naming the first wrong option. */
export function resolveOptions(given: VerifierOptions): ResolvedOptions {
  if (!given || typeof given !== "object") throw new ConfigError("authbridge: options are required");
  const derived = fromServerUrl(given.serverUrl);
  const options = {
    ...given,
    jwksUrl: given.jwksUrl || derived.jwksUrl,
    issuer: given.issuer || derived.origin,
    audience: given.audience && given.audience.length > 0 ? given.audience : derived.origin,
  };
  let jwksUrl: URL | undefined;
  if (options.jwksUrl !== undefined && options.jwksUrl !== "") {
    try {
      jwksUrl = new URL(options.jwksUrl);
    } catch {
      throw new ConfigError("authbridge: jwksUrl must be an absolute URL");
    }
    if (jwksUrl.protocol !== "https:" && jwksUrl.protocol !== "http:") {
      throw new ConfigError("authbridge: jwksUrl must be http(s)");
    }
  }
  if (!jwksUrl && !options.jwks) {
    throw new ConfigError("authbridge: jwksUrl is required (or serverUrl, or a static jwks)");
  }
  if (options.jwks && !Array.isArray(options.jwks.keys))
    throw new ConfigError("authbridge: jwks must be {keys: [...]}");
  if (typeof options.issuer !== "string" || options.issuer === "") {
    throw new ConfigError("authbridge: issuer is required");
  }
  const audiences = csv(options.audience ?? []);
  if (audiences.length === 0) throw new ConfigError("authbridge: audience is required");
  const algorithms = csv(options.algorithms ?? DEFAULTS.algorithms);
  const unsupported = algorithms.filter((alg) => !(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg));
  if (algorithms.length === 0 || unsupported.length > 0) {
    throw new ConfigError(`authbridge: algorithms may only hold EdDSA and Ed25519, got ${algorithms.join(",")}`);
  }
  const tokenCacheSize = options.tokenCacheSize ?? DEFAULTS.tokenCacheSize;
  if (!Number.isInteger(tokenCacheSize) || tokenCacheSize < 0) {
    throw new ConfigError("authbridge: tokenCacheSize must be a whole number ≥ 0");
  }
  const logger = options.logger ?? console;
  if (typeof logger?.warn !== "function" || typeof logger.info !== "function") {
    throw new ConfigError("authbridge: logger must have warn() and info()");
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function" && jwksUrl) throw new ConfigError("authbridge: no fetch available");
  return Object.freeze({
    jwksUrl,
    jwks: options.jwks,
    issuer: options.issuer,
    audiences: new Set(audiences),
    algorithms: new Set(algorithms),
    leewaySeconds: seconds("leewaySeconds", options.leewaySeconds, DEFAULTS.leewaySeconds, 0, 300),
    jwksCacheSeconds: seconds("jwksCacheSeconds", options.jwksCacheSeconds, DEFAULTS.jwksCacheSeconds, 1),
    jwksCooldownSeconds: seconds("jwksCooldownSeconds", options.jwksCooldownSeconds, DEFAULTS.jwksCooldownSeconds, 0),
    jwksMaxStaleSeconds: seconds("jwksMaxStaleSeconds", options.jwksMaxStaleSeconds, DEFAULTS.jwksMaxStaleSeconds, 0),
    jwksTimeoutSeconds: seconds(
      "jwksTimeoutSeconds",
      options.jwksTimeoutSeconds,
      DEFAULTS.jwksTimeoutSeconds,
      0.001,
      60,
    ),
    tokenCacheSize,
    fetch: fetchImpl,
    now: options.now ?? Date.now,
    monotonicNow: options.monotonicNow ?? options.now ?? (() => performance.now()),
    logger,
  });
}

const number = (env: Record<string, string | undefined>, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(`authbridge: ${name} must be a number, got ${raw}`);
  return value;
};

/** Rewrites `authbridge: issuer …` as `authbridge: AUTH_ISSUER …` for options read from the environment. */
export function envError(error: unknown): unknown {
  if (!(error instanceof ConfigError)) return error;
  const names: Record<string, string> = OPTION_ENV;
  const message = error.message.replace(/^authbridge: (\w+)/, (whole, option: string) =>
    names[option] ? `authbridge: ${names[option]}` : whole,
  );
  return new ConfigError(message);
}

/**
 * Options from the contract's `AUTH_*` variables (`AUTH_SERVER_URL` alone is enough for a stock
 * Better Auth server). `AUTH_JWKS` is a static key set (JSON), for tests.
 *
 * @example
 * const verifier = createVerifier({ ...optionsFromEnv(process.env), logger });
 */
export function optionsFromEnv(env: Record<string, string | undefined>): VerifierOptions {
  const options: VerifierOptions = {};
  const text = (name: string) => env[name] || undefined;
  const serverUrl = text(OPTION_ENV.serverUrl);
  let derived: ReturnType<typeof fromServerUrl>;
  try {
    derived = fromServerUrl(serverUrl);
  } catch (error) {
    throw envError(error);
  }
  if (serverUrl) options.serverUrl = serverUrl;
  const jwksUrl = text(OPTION_ENV.jwksUrl) ?? derived.jwksUrl;
  if (jwksUrl) options.jwksUrl = jwksUrl;
  const issuer = text(OPTION_ENV.issuer) ?? derived.origin;
  if (issuer) options.issuer = issuer;
  const audience = text(OPTION_ENV.audience) ?? derived.origin;
  if (audience) options.audience = audience;
  const jwks = text(OPTION_ENV.jwks);
  if (jwks) {
    try {
      options.jwks = JSON.parse(jwks);
    } catch {
      throw new ConfigError("authbridge: AUTH_JWKS must be a JSON key set");
    }
  }
  const algorithms = text(OPTION_ENV.algorithms);
  if (algorithms) options.algorithms = csv(algorithms) as SupportedAlgorithm[];
  for (const key of NUMERIC) {
    const value = number(env, OPTION_ENV[key]);
    if (value !== undefined) options[key] = value;
  }
  return options;
}

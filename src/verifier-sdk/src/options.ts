/**
 * Verifier options: one type, defaults in one constant, validated once when the verifier is
 * built (a mistake is a `TypeError` naming the option, never a 401 at request time). The env
 * names are the contract's `AUTH_*`, read by {@link optionsFromEnv}; python-backend's
 * `authbridge/settings.py` reads the same ones.
 */
import type { JSONWebKeySet } from "jose";

/** The only algorithms an Ed25519 key verifies: `EdDSA` and its RFC 9864 name `Ed25519`. */
export const SUPPORTED_ALGORITHMS = ["EdDSA", "Ed25519"] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export interface VerifierOptions {
  /** Where the JWKS is fetched (`AUTH_JWKS_URL`). Required unless `jwks` is given. */
  jwksUrl?: string | URL;
  /** A static key set instead of a URL: for tests and air-gapped services. */
  jwks?: JSONWebKeySet;
  /** Exact expected `iss` (`AUTH_ISSUER`). */
  issuer: string;
  /** Accepted `aud` values (`AUTH_AUDIENCE`, comma list): any one matches. */
  audience: string | readonly string[];
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
  /** Verified tokens remembered (LRU, dropped at `exp` or when their key leaves the set); 0 disables. @default 10000 */
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

/** The two levels the verifier logs at. */
export interface VerifierLogger {
  warn(message: string): void;
  info(message: string): void;
}

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
    throw new TypeError(`authbridge: ${name} must be a number of seconds from ${min} to ${max}, got ${String(value)}`);
  }
  return v;
}

const csv = (value: string | readonly string[]): string[] =>
  (typeof value === "string" ? value.split(",") : [...value]).map((item) => item.trim()).filter(Boolean);

/** Validates and freezes the options; throws `TypeError` naming the first wrong option. */
export function resolveOptions(options: VerifierOptions): ResolvedOptions {
  if (!options || typeof options !== "object") throw new TypeError("authbridge: options are required");
  let jwksUrl: URL | undefined;
  if (options.jwksUrl !== undefined && options.jwksUrl !== "") {
    try {
      jwksUrl = new URL(options.jwksUrl);
    } catch {
      throw new TypeError("authbridge: jwksUrl must be an absolute URL");
    }
    if (jwksUrl.protocol !== "https:" && jwksUrl.protocol !== "http:") {
      throw new TypeError("authbridge: jwksUrl must be http(s)");
    }
  }
  if (!jwksUrl && !options.jwks) {
    throw new TypeError("authbridge: jwksUrl is required (or a static jwks; from the environment: AUTH_SERVER_URL)");
  }
  if (options.jwks && !Array.isArray(options.jwks.keys)) throw new TypeError("authbridge: jwks must be {keys: [...]}");
  if (typeof options.issuer !== "string" || options.issuer === "") {
    throw new TypeError("authbridge: issuer is required");
  }
  const audiences = csv(options.audience ?? []);
  if (audiences.length === 0) throw new TypeError("authbridge: audience is required");
  const algorithms = csv(options.algorithms ?? DEFAULTS.algorithms);
  const unsupported = algorithms.filter((alg) => !(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg));
  if (algorithms.length === 0 || unsupported.length > 0) {
    throw new TypeError(`authbridge: algorithms may only hold EdDSA and Ed25519, got ${algorithms.join(",")}`);
  }
  const tokenCacheSize = options.tokenCacheSize ?? DEFAULTS.tokenCacheSize;
  if (!Number.isInteger(tokenCacheSize) || tokenCacheSize < 0) {
    throw new TypeError("authbridge: tokenCacheSize must be a whole number ≥ 0");
  }
  const logger = options.logger ?? console;
  if (typeof logger?.warn !== "function" || typeof logger.info !== "function") {
    throw new TypeError("authbridge: logger must have warn() and info()");
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function" && jwksUrl) throw new TypeError("authbridge: no fetch available");
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
  if (!Number.isFinite(value)) throw new TypeError(`authbridge: ${name} must be a number, got ${raw}`);
  return value;
};

/** Which environment variable each option comes from, to name it in an error. */
const ENV_NAMES: Record<string, string> = {
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
};

/** Rewrites `authbridge: issuer …` as `authbridge: AUTH_ISSUER …` for options read from the environment. */
export function envError(error: unknown): unknown {
  if (!(error instanceof TypeError)) return error;
  const message = error.message.replace(/^authbridge: (\w+)/, (whole, option: string) =>
    ENV_NAMES[option] ? `authbridge: ${ENV_NAMES[option]}` : whole,
  );
  return new TypeError(message);
}

/**
 * Options from the contract's `AUTH_*` variables. `AUTH_SERVER_URL` alone is enough for a stock
 * Better Auth server: the JWKS is `<url>/api/auth/jwks`, issuer and audience its origin;
 * `AUTH_JWKS_URL`, `AUTH_ISSUER`, `AUTH_AUDIENCE` override each. `AUTH_JWKS` is a static key set
 * (JSON), for tests.
 *
 * @example
 * const verifier = createVerifier(optionsFromEnv(process.env));
 */
export function optionsFromEnv(env: Record<string, string | undefined>): VerifierOptions {
  const derived: { jwksUrl?: string; origin?: string } = {};
  if (env.AUTH_SERVER_URL) {
    let url: URL;
    try {
      url = new URL(env.AUTH_SERVER_URL);
    } catch {
      throw new TypeError(`authbridge: AUTH_SERVER_URL must be an http(s) URL, got ${env.AUTH_SERVER_URL}`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new TypeError(`authbridge: AUTH_SERVER_URL must be an http(s) URL, got ${env.AUTH_SERVER_URL}`);
    }
    derived.jwksUrl = `${env.AUTH_SERVER_URL.replace(/\/+$/, "")}/api/auth/jwks`;
    derived.origin = url.origin;
  }
  const options: VerifierOptions = {
    issuer: env.AUTH_ISSUER || derived.origin || "",
    audience: env.AUTH_AUDIENCE || derived.origin || "",
  };
  const jwksUrl = env.AUTH_JWKS_URL || derived.jwksUrl;
  if (jwksUrl) options.jwksUrl = jwksUrl;
  if (env.AUTH_JWKS) {
    try {
      options.jwks = JSON.parse(env.AUTH_JWKS);
    } catch {
      throw new TypeError("authbridge: AUTH_JWKS must be a JSON key set");
    }
  }
  if (env.AUTH_ALGORITHMS) options.algorithms = csv(env.AUTH_ALGORITHMS) as SupportedAlgorithm[];
  const map: [keyof VerifierOptions, string][] = [
    ["leewaySeconds", "AUTH_LEEWAY_SECONDS"],
    ["jwksCacheSeconds", "AUTH_JWKS_CACHE_SECONDS"],
    ["jwksCooldownSeconds", "AUTH_JWKS_COOLDOWN_SECONDS"],
    ["jwksMaxStaleSeconds", "AUTH_JWKS_MAX_STALE_SECONDS"],
    ["jwksTimeoutSeconds", "AUTH_JWKS_TIMEOUT_SECONDS"],
    ["tokenCacheSize", "AUTH_TOKEN_CACHE_SIZE"],
  ];
  for (const [key, name] of map) {
    const value = number(env, name);
    if (value !== undefined) (options as unknown as Record<string, number>)[key] = value;
  }
  return options;
}

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
  /**
   * The revocation feed (`AUTH_REVOCATION_URL`, CONTRACT §8); `false` (`off`) verifies without
   * it: tokens then stay valid until `exp` after a sign-out. Default `<serverUrl>/api/auth/revocations`;
   * required with a `jwksUrl` alone; off with a static `jwks` unless `revocationList` is given.
   */
  revocationUrl?: string | URL | false;
  /** A static revocation list instead of the feed (`AUTH_REVOCATION_LIST`, JSON): for tests. */
  revocationList?: RevocationList;
  /** How old the revocation list may get before it is fetched again, in seconds. @default 5 */
  revocationPollSeconds?: number;
  /** How long the last good list serves while the feed is unreachable, in seconds. @default 300 */
  revocationMaxStaleSeconds?: number;
  /** Revocation feed fetch timeout, in seconds. @default 2 */
  revocationTimeoutSeconds?: number;
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
 * The feed document (`GET /api/auth/revocations`), or a static list for tests.
 *
 * @example
 * createVerifier({ jwks, issuer, audience, revocationList: { sessions: ["3q2-…"], clients: [], not_before: 0 } });
 */
export interface RevocationList {
  /** `sid` values of ended sessions. */
  sessions?: readonly string[];
  /** `client_id` values of revoked machine clients. */
  clients?: readonly string[];
  /** Every token issued (`iat`) before this time, seconds, is revoked; 0 when nothing was folded. */
  not_before?: number;
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
  revocationUrl: "AUTH_REVOCATION_URL",
  revocationList: "AUTH_REVOCATION_LIST",
  revocationPollSeconds: "AUTH_REVOCATION_POLL_SECONDS",
  revocationMaxStaleSeconds: "AUTH_REVOCATION_MAX_STALE_SECONDS",
  revocationTimeoutSeconds: "AUTH_REVOCATION_TIMEOUT_SECONDS",
} satisfies Partial<Record<keyof VerifierOptions, string>>);

export const DEFAULTS = Object.freeze({
  algorithms: SUPPORTED_ALGORITHMS,
  leewaySeconds: 5,
  jwksCacheSeconds: 300,
  jwksCooldownSeconds: 30,
  jwksMaxStaleSeconds: 86_400,
  jwksTimeoutSeconds: 5,
  tokenCacheSize: 10_000,
  revocationPollSeconds: 5,
  revocationMaxStaleSeconds: 300,
  revocationTimeoutSeconds: 2,
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
  /** The feed, a static list, or neither (revocation off). */
  readonly revocationUrl: URL | undefined;
  readonly revocationList: RevocationList | undefined;
  readonly revocationPollSeconds: number;
  readonly revocationMaxStaleSeconds: number;
  readonly revocationTimeoutSeconds: number;
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

export const csv = (value: string | readonly string[]): string[] =>
  (typeof value === "string" ? value.split(",") : [...value]).map((item) => item.trim()).filter(Boolean);

/** `serverUrl`'s JWKS URL and origin, or nothing without one. */
export function fromServerUrl(serverUrl: string | URL | undefined): {
  jwksUrl?: string;
  revocationUrl?: string;
  origin?: string;
} {
  if (serverUrl === undefined || serverUrl === "") return {};
  const url = URL.canParse(serverUrl) ? new URL(serverUrl) : undefined;
  if (url?.protocol !== "https:" && url?.protocol !== "http:") {
    throw new ConfigError(`authbridge: serverUrl must be an http(s) URL, got ${String(serverUrl)}`);
  }
  const base = String(serverUrl).replace(/\/+$/, "");
  return { jwksUrl: `${base}/api/auth/jwks`, revocationUrl: `${base}/api/auth/revocations`, origin: url.origin };
}

/** The feed's URL, or `undefined` when revocation is off or a static list stands in for it. */
function revocationUrlOf(options: VerifierOptions, derived: string | undefined): URL | undefined {
  const given = options.revocationUrl;
  if (given === false || options.revocationList) return undefined;
  if (given === undefined || given === "") {
    if (derived) return new URL(derived);
    if (options.jwksUrl === undefined || options.jwksUrl === "") return undefined;
    throw new ConfigError(
      "authbridge: revocationUrl is required with a jwksUrl alone (or serverUrl); set it to false (AUTH_REVOCATION_URL=off) to verify without the revocation feed",
    );
  }
  const url = URL.canParse(given) ? new URL(given) : undefined;
  if (url?.protocol !== "https:" && url?.protocol !== "http:") {
    throw new ConfigError(`authbridge: revocationUrl must be an http(s) URL or false, got ${String(given)}`);
  }
  return url;
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
    revocationUrl: revocationUrlOf(given, derived.revocationUrl),
    revocationList: given.revocationList,
    revocationPollSeconds: seconds(
      "revocationPollSeconds",
      options.revocationPollSeconds,
      DEFAULTS.revocationPollSeconds,
      1,
      300,
    ),
    revocationMaxStaleSeconds: seconds(
      "revocationMaxStaleSeconds",
      options.revocationMaxStaleSeconds,
      DEFAULTS.revocationMaxStaleSeconds,
      0,
    ),
    revocationTimeoutSeconds: seconds(
      "revocationTimeoutSeconds",
      options.revocationTimeoutSeconds,
      DEFAULTS.revocationTimeoutSeconds,
      0.001,
      60,
    ),
    fetch: fetchImpl,
    now: options.now ?? Date.now,
    monotonicNow: options.monotonicNow ?? options.now ?? (() => performance.now()),
    logger,
  });
}

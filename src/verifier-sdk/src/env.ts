/**
 * The verifier's options read from the contract's `AUTH_*` variables (contract.json
 * `verifierSettings`); options.ts validates them as it validates options given in code.
 */
import { ConfigError } from "./errors.js";
import { csv, fromServerUrl, OPTION_ENV, type SupportedAlgorithm, type VerifierOptions } from "./options.js";

/** The options the environment sets as numbers. */
const NUMERIC = [
  "leewaySeconds",
  "jwksCacheSeconds",
  "jwksCooldownSeconds",
  "jwksMaxStaleSeconds",
  "jwksTimeoutSeconds",
  "tokenCacheSize",
  "revocationPollSeconds",
  "revocationMaxStaleSeconds",
  "revocationTimeoutSeconds",
] as const;

function json<T>(raw: string, problem: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new ConfigError(`authbridge: ${problem}`);
  }
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
  if (jwks) options.jwks = json(jwks, "AUTH_JWKS must be a JSON key set");
  const revocationUrl = text(OPTION_ENV.revocationUrl) ?? derived.revocationUrl;
  if (revocationUrl) options.revocationUrl = revocationUrl.trim().toLowerCase() === "off" ? false : revocationUrl;
  const revocationList = text(OPTION_ENV.revocationList);
  if (revocationList)
    options.revocationList = json(revocationList, "AUTH_REVOCATION_LIST must be a JSON revocation list");
  const algorithms = text(OPTION_ENV.algorithms);
  if (algorithms) options.algorithms = csv(algorithms) as SupportedAlgorithm[];
  for (const key of NUMERIC) {
    const value = number(env, OPTION_ENV[key]);
    if (value !== undefined) options[key] = value;
  }
  return options;
}

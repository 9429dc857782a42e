/** contract-tests/contract.json, typed: the expectations every suite here checks against. */
import fs from "node:fs";
import path from "node:path";

export interface ErrorSpec {
  status: number;
  message: string;
  challenge?: "bare" | "invalid_token" | "insufficient_scope" | "insufficient_user_authentication" | "none";
  retryAfter?: boolean;
  connectionClose?: boolean;
}

export interface Contract {
  realm: string;
  checkOrder: string[];
  claims: { required: string[]; optional: string[]; types: Record<string, string> };
  accessOrder: string[];
  limits: Record<string, number>;
  /** Each verifier option: its `AUTH_*` variable and default (`$comment` aside). */
  verifierSettings: Record<string, { env: string; default?: unknown } | string>;
  authErrors: Record<string, ErrorSpec>;
  /** A task's fields, sorted. */
  task: { fields: string[] };
  apiErrors: Record<string, ErrorSpec>;
  /** Machine clients' access tokens (RFC 9068). */
  clientTokens: { typ: string; claims: string[]; personClaims: string[] };
  /** The OAuth token endpoint (RFC 6749 §5.2): status per error code and the secrets' shape. */
  tokenEndpoint: {
    path: string;
    discovery: string;
    grantTypes: string[];
    authMethods: string[];
    challenge: string;
    errors: Record<string, number>;
    secretPrefix: string;
    secretBytes: number;
    defaultTtlSeconds: number;
    maxTtlSeconds: number;
  };
  /** Step-up (RFC 9470): amr per sign-in, the MFA ACR, the policy and the second factor's limits. */
  stepUp: {
    mfaAcr: string;
    challengeParams: string[];
    amr: { password: string[]; totp: string[]; backupCode: string[] };
    policyEnv: string;
    productionDefault: string[];
    authServerChallenge: string;
    twoFactor: Record<string, number>;
  };
  /** Session-bound tokens and the revocation feed: its path, caching, bounds and the outage rule. */
  revocation: {
    path: string;
    members: string[];
    cacheControl: string;
    feedRebuildSeconds: number;
    maxLeewaySeconds: number;
    sidChars: number;
    boundSeconds: number;
    endings: string[];
    outage: string;
  };
}

export const CONTRACT_FILE = path.resolve(import.meta.dirname, "../contract.json");
export const CONTRACT: Contract = JSON.parse(fs.readFileSync(CONTRACT_FILE, "utf8"));

/** The spec of any code a protected API answers with. */
export function specOf(code: string): ErrorSpec | undefined {
  return CONTRACT.authErrors[code] ?? CONTRACT.apiErrors[code];
}

/** What a route requires of the sign-in, for the step-up challenge's parameters. */
export interface StepUp {
  mfa?: boolean;
  maxAge?: number;
}

/**
 * The exact `WWW-Authenticate` the contract gives `code`, or null where none is sent; a step-up
 * challenge names what the route requires (`acr_values` for MFA, then `max_age`).
 */
export function challengeOf(code: string | undefined, stepUp: StepUp = {}): string | null {
  const spec = code ? CONTRACT.authErrors[code] : undefined;
  if (!spec || spec.challenge === "none") return null;
  if (spec.challenge === "bare") return `Bearer realm="${CONTRACT.realm}"`;
  let challenge = `Bearer realm="${CONTRACT.realm}", error="${spec.challenge}", error_description="${spec.message}"`;
  if (spec.challenge === "insufficient_user_authentication") {
    if (stepUp.mfa) challenge += `, acr_values="${CONTRACT.stepUp.mfaAcr}"`;
    if (stepUp.maxAge !== undefined) challenge += `, max_age=${stepUp.maxAge}`;
  }
  return challenge;
}

/** The verifier options of `verifierSettings`, without its comment. */
export function verifierSettings(): Record<string, { env: string; default?: unknown }> {
  return Object.fromEntries(
    Object.entries(CONTRACT.verifierSettings).filter(
      (entry): entry is [string, { env: string; default?: unknown }] => typeof entry[1] === "object",
    ),
  );
}

/** `leewaySeconds` → `leeway_seconds`: Python's name for a TypeScript one. */
export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

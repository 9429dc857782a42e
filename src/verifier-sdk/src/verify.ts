/**
 * The token verifier: CONTRACT §2's checks, in its order, in one function (python-backend's
 * `authbridge/verify.py` is the same function in Python). On Node the signature is checked with
 * a cached `KeyObject` through `node:crypto`; a bounded cache of verified tokens makes a
 * repeated token cost a map lookup.
 */
import { tokenKindOf, validateClaims } from "./claims.js";
import { asciiBytes, decodeJsonObject, decodeSegment } from "./encoding.js";
import { AuthError } from "./errors.js";
import { JwksCache } from "./jwks.js";
import { MismatchLog } from "./mismatch-log.js";
import { type ResolvedOptions, resolveOptions, type VerifierOptions } from "./options.js";
import { type Principal, principalFromClaims } from "./principal.js";
import { RevocationCache } from "./revocations.js";
import { nodeBuffer } from "./runtime.js";
import { TokenCache } from "./token-cache.js";

/**
 * A longer token is refused before any parsing (CONTRACT §2.1).
 *
 * @example
 * // A bearer token longer than MAX_TOKEN_BYTES is malformed_token before anything is parsed.
 */
export const MAX_TOKEN_BYTES = 8192;
const ACCEPTED_TYP = new Set(["jwt", "at+jwt"]);
const ED25519_SIGNATURE_BYTES = 64;
const encoder = new TextEncoder();
const byteLength = (value: string): number =>
  nodeBuffer?.Buffer.byteLength(value, "utf8") ?? encoder.encode(value).length;

/**
 * Anything `authenticate` can read the Authorization header from.
 *
 * @example
 * await verifier.authenticate(request); // or request.headers, or the header value
 */
export type AuthorizationSource = Request | Headers | string | null | undefined;

/**
 * The token of an `Authorization: Bearer <token>` value (CONTRACT §2.1).
 *
 * @example
 * parseAuthorization("Bearer eyJ...") // "eyJ..."
 */
export function parseAuthorization(value: string | null | undefined): string {
  if (value === null || value === undefined) throw new AuthError("missing_token");
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, "");
  const space = trimmed.indexOf(" ");
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") throw new AuthError("missing_token");
  const token = space === -1 ? "" : trimmed.slice(space + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (token === "") throw new AuthError("missing_token");
  if (token.includes(" ") || token.includes("\t")) throw new AuthError("malformed_token");
  return token;
}

/**
 * Verifies tokens against a JWKS; build one per process (`createVerifier`, `verifierFromEnv`), share it. Python: `authbridge.Verifier`.
 *
 * @example
 * const verifier = createVerifier({ serverUrl: "https://auth.example.com" });
 * const user = await verifier.verify(token); // or throws AuthError
 */
export class Verifier {
  readonly options: ResolvedOptions;
  readonly jwks: JwksCache;
  /** The revocation feed's list, or undefined when revocation is off. */
  readonly revocations: RevocationCache | undefined;
  private readonly tokens: TokenCache;
  private readonly mismatches: MismatchLog;

  constructor(options: VerifierOptions) {
    this.options = resolveOptions(options);
    this.jwks = new JwksCache({
      url: this.options.jwksUrl,
      staticJwks: this.options.jwks,
      cacheSeconds: this.options.jwksCacheSeconds,
      cooldownSeconds: this.options.jwksCooldownSeconds,
      maxStaleSeconds: this.options.jwksMaxStaleSeconds,
      timeoutSeconds: this.options.jwksTimeoutSeconds,
      fetch: this.options.fetch,
      now: this.options.monotonicNow,
      logger: this.options.logger,
    });
    const { revocationUrl, revocationList } = this.options;
    this.revocations =
      revocationUrl || revocationList
        ? new RevocationCache({
            url: revocationUrl,
            list: revocationList,
            pollSeconds: this.options.revocationPollSeconds,
            maxStaleSeconds: this.options.revocationMaxStaleSeconds,
            timeoutSeconds: this.options.revocationTimeoutSeconds,
            fetch: this.options.fetch,
            now: this.options.monotonicNow,
            wallNow: this.options.now,
            logger: this.options.logger,
          })
        : undefined;
    this.tokens = new TokenCache(this.options.tokenCacheSize);
    this.mismatches = new MismatchLog(this.options);
  }

  /** Verify the token of a request, a `Headers` object or an Authorization header value. */
  authenticate(source: AuthorizationSource): Promise<Principal> {
    let header: string | null | undefined;
    if (typeof source === "string" || source === null || source === undefined) header = source;
    else if (source instanceof Headers) header = source.get("authorization");
    else header = source.headers.get("authorization");
    try {
      return this.verify(parseAuthorization(header));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Verify `token`; rejects with `AuthError` naming the first failed check. */
  async verify(token: string): Promise<Principal> {
    const now = this.options.now() / 1000;
    const cached = this.tokens.get(token, now);
    if (cached) {
      // The key set decides as for a fresh token: a stale set refreshes, a removed key fails.
      const current = this.jwks.peek(cached.kid) ?? (await this.jwks.getKey(cached.kid).catch(this.forget(token)));
      if (current === cached.key) {
        // A session that ended since the token was cached ends it here too.
        const revoked = this.revocations?.check(cached.principal);
        if (revoked) await revoked;
        return cached.principal;
      }
      this.tokens.delete(token);
    }
    // The contract's order (CONTRACT §2): size, structure, algorithm, key, signature, claims, revocation.
    // 1. Size, before any parsing.
    if (typeof token !== "string" || byteLength(token) > MAX_TOKEN_BYTES) throw new AuthError("malformed_token");
    // 2. Structure: three base64url parts, JSON object header and payload; no crit, known typ.
    const parts = token.split(".");
    if (parts.length !== 3) throw new AuthError("malformed_token");
    const [headerB64, payloadB64, signatureB64] = parts as [string, string, string];
    const header = decodeJsonObject(headerB64);
    const payload = decodeJsonObject(payloadB64);
    const signature = decodeSegment(signatureB64);
    if ("crit" in header) throw new AuthError("malformed_token");
    let typ: string | undefined;
    if (header.typ !== undefined && header.typ !== null) {
      if (typeof header.typ !== "string") throw new AuthError("malformed_token");
      typ = header.typ.toLowerCase().replace(/^application\//, "");
      if (!ACCEPTED_TYP.has(typ)) throw new AuthError("malformed_token");
    }
    const kid = header.kid === null ? undefined : header.kid;
    if (kid !== undefined && typeof kid !== "string") throw new AuthError("malformed_token");
    // 3. Algorithm: the allowlist only; header jwk / jku / x5u / x5c are never read.
    if (typeof header.alg !== "string" || !this.options.algorithms.has(header.alg)) {
      throw new AuthError("unsupported_algorithm");
    }
    // 4. Key: from the cached JWKS by kid (one refetch per cooldown for an unknown kid).
    const key = this.jwks.peek(kid) ?? (await this.jwks.getKey(kid));
    // 5. Signature, before any claim is looked at.
    const signingInput = asciiBytes(token.slice(0, headerB64.length + 1 + payloadB64.length));
    if (signature.length !== ED25519_SIGNATURE_BYTES) throw new AuthError("invalid_signature");
    const verified = key.verify(signingInput, signature);
    // node:crypto answers synchronously; awaiting only WebCrypto's promise saves a tick per verify.
    if (!(typeof verified === "boolean" ? verified : await verified)) throw new AuthError("invalid_signature");
    // 6. Claims.
    const checkedAt = this.options.now() / 1000;
    try {
      validateClaims(payload, {
        issuer: this.options.issuer,
        audiences: this.options.audiences,
        leewaySeconds: this.options.leewaySeconds,
        now: checkedAt,
      });
      tokenKindOf(typ, payload);
    } catch (error) {
      if (error instanceof AuthError) this.mismatches.report(error.code, payload);
      throw error;
    }
    const principal = principalFromClaims(payload);
    // 7. Revocation: the session or client is not on the feed's list (a set lookup while it is fresh).
    const revoked = this.revocations?.check(principal);
    if (revoked) await revoked;
    this.tokens.set(token, { principal, kid, key, expiresAt: (payload.exp as number) + this.options.leewaySeconds });
    return principal;
  }

  private forget(token: string) {
    return (error: unknown): never => {
      this.tokens.delete(token);
      throw error;
    };
  }

  /** Fetch the JWKS (and the revocation list) now; resolves to whether a usable key set is cached. */
  async warm(): Promise<boolean> {
    const [keys] = await Promise.all([this.jwks.warm(), this.revocations?.warm()]);
    return keys;
  }
}

/**
 * Builds a verifier; a wrong option throws a `TypeError` here, not at request time.
 *
 * @example
 * const verifier = createVerifier({
 *   jwksUrl: "http://127.0.0.1:3000/.well-known/jwks.json",
 *   issuer: "http://127.0.0.1:3000",
 *   audience: "http://127.0.0.1:3000",
 * });
 * const user = await verifier.authenticate(request);
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new Verifier(options);
}

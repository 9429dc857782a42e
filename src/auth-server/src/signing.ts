/**
 * Signs tokens with the live key, imported once and kept in memory, instead of Better Auth's
 * way (every signature re-reads every `jwks` row, decrypts the private key and imports it). Only
 * the imported `CryptoKey`/`KeyObject` is kept, never the decrypted key bytes.
 *
 * A rotation or revocation made here, by another replica or by `npm run keys:rotate` /
 * `keys:revoke` takes effect at the next signature: it is announced (key-events.ts) and the
 * cache dropped. Only a change nobody announces (Better Auth's lazy `rotationInterval`) waits
 * for the re-read every `JWT_KEY_CACHE_SECONDS` (default 5); meanwhile this replica signs with
 * the previous key, which stays published for the grace period.
 */
import { KeyObject, sign as signBytes } from "node:crypto";
import { tryGetCurrentAuthEndpointContext } from "@better-auth/core/context";
import type { AuthContext } from "better-auth";
import { type JwtOptions, resolveSigningKey } from "better-auth/plugins/jwt";
import type { JWTPayload } from "jose";

interface ResolvedKey {
  alg: string;
  kid: string;
  /** Node's own key object: an Ed25519 signature is one synchronous call, no thread-pool hop. */
  privateKey: KeyObject;
}

type Header = { typ?: string; cty?: string };

export interface SigningKeyCacheOptions {
  /** The JWT plugin's options without `jwt.sign` (how keys are stored). */
  readonly jwt: JwtOptions;
  /** How long an imported key is used before the live key is looked up again. */
  readonly refreshMs: number;
  /** Makes sure a live key exists (minting one under the key lock if not). */
  readonly ensureKey: (context: AuthContext) => Promise<unknown>;
  /** Checked before each signature: true when the keys may have changed elsewhere. */
  readonly changedElsewhere?: () => boolean;
  readonly now?: () => number;
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Built before Better Auth and handed to it as `jwt.sign`: the key is resolved from the context
 * of the call (as Better Auth's own `resolveSigningKey` does), so nothing is attached later.
 */
export class SigningKeyCache {
  /** Bumped by every change: a key looked up before a change is never cached after it. */
  private version = 0;
  private current: { key: ResolvedKey; loadedAt: number; version: number } | undefined;
  private loading: Promise<ResolvedKey> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SigningKeyCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Forget the imported key: the next signature looks up the live key (after a rotation anywhere). */
  invalidate(): void {
    this.version += 1;
    this.current = undefined;
  }

  /**
   * The JWT plugin's `jwt.sign`, which Better Auth calls inside an endpoint (the context comes
   * from there); `payload` already carries iss, aud, iat, exp and sub.
   */
  readonly sign = (payload: JWTPayload, header?: Header): Promise<string> => {
    const endpoint = tryGetCurrentAuthEndpointContext();
    if (!endpoint) return Promise.reject(new Error("jwt.sign was called outside a Better Auth endpoint"));
    return this.signWith(endpoint.context, payload, header);
  };

  /** Signs `payload` with the live key of `context`'s key set (the token route's fast path). */
  async signWith(context: AuthContext, payload: JWTPayload, header?: Header): Promise<string> {
    const { alg, kid, privateKey } = await this.key(context);
    const input = `${b64json({ ...header, alg, kid })}.${b64json(payload)}`;
    // EdDSA takes no digest name: the algorithm comes from the key.
    return `${input}.${signBytes(null, Buffer.from(input), privateKey).toString("base64url")}`;
  }

  private async key(context: AuthContext): Promise<ResolvedKey> {
    if (this.options.changedElsewhere?.()) this.invalidate();
    const cached = this.current;
    if (cached && cached.version === this.version && this.now() - cached.loadedAt < this.options.refreshMs) {
      return cached.key;
    }
    // One lookup at a time, shared by every request that needs it.
    this.loading ??= this.load(context).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(context: AuthContext): Promise<ResolvedKey> {
    const version = this.version;
    await this.options.ensureKey(context);
    const resolved = await resolveSigningKey({ context } as Parameters<typeof resolveSigningKey>[0], this.options.jwt);
    if (!resolved) throw new Error("no signing key could be resolved");
    if (resolved.alg !== "EdDSA" && resolved.alg !== "Ed25519")
      throw new Error(`unsupported signing algorithm ${resolved.alg}`);
    const privateKey =
      resolved.privateKey instanceof KeyObject ? resolved.privateKey : KeyObject.from(resolved.privateKey as CryptoKey);
    const key = { alg: resolved.alg, kid: resolved.kid, privateKey };
    if (version === this.version) this.current = { key, loadedAt: this.now(), version };
    return key;
  }
}

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
import { type JwtOptions, resolveSigningKey } from "better-auth/plugins/jwt";
import type { JWTPayload } from "jose";
import type { Auth } from "./auth.js";

interface ResolvedKey {
  alg: string;
  kid: string;
  /** Node's own key object: an Ed25519 signature is one synchronous call, no thread-pool hop. */
  privateKey: KeyObject;
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export class SigningKeyCache {
  private auth: Auth | undefined;
  private current: { key: ResolvedKey; loadedAt: number } | undefined;
  private loading: Promise<ResolvedKey> | undefined;

  /**
   * @param options the JWT plugin's options without `jwt.sign` (how keys are stored)
   * @param refreshMs how long an imported key is used before the live key is looked up again
   */
  constructor(
    private readonly options: JwtOptions,
    private readonly refreshMs: number,
    /** Makes sure a live key exists (minting one under the key lock if not). */
    private readonly ensureKey: () => Promise<unknown>,
    /** Checked before each signature: true when the keys may have changed elsewhere. */
    private readonly changedElsewhere: () => boolean = () => false,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Better Auth is built with this cache's `sign`, so the instance comes after construction. */
  attach(auth: Auth): void {
    this.auth = auth;
  }

  /** Forget the imported key: the next signature looks up the live key (after a local rotation). */
  invalidate(): void {
    this.current = undefined;
  }

  /** The JWT plugin's `jwt.sign`: `payload` already carries iss, aud, iat, exp and sub. */
  readonly sign = async (payload: JWTPayload, header?: { typ?: string; cty?: string }): Promise<string> => {
    const { alg, kid, privateKey } = await this.key();
    const input = `${b64json({ ...header, alg, kid })}.${b64json(payload)}`;
    // EdDSA takes no digest name: the algorithm comes from the key.
    return `${input}.${signBytes(null, Buffer.from(input), privateKey).toString("base64url")}`;
  };

  private async key(): Promise<ResolvedKey> {
    if (this.changedElsewhere()) this.current = undefined;
    const cached = this.current;
    if (cached && this.now() - cached.loadedAt < this.refreshMs) return cached.key;
    // One lookup at a time, shared by every request that needs it.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<ResolvedKey> {
    if (!this.auth) throw new Error("SigningKeyCache used before attach()");
    await this.ensureKey();
    const context = await this.auth.$context;
    const resolved = await resolveSigningKey({ context } as Parameters<typeof resolveSigningKey>[0], this.options);
    if (!resolved) throw new Error("no signing key could be resolved");
    if (resolved.alg !== "EdDSA" && resolved.alg !== "Ed25519")
      throw new Error(`unsupported signing algorithm ${resolved.alg}`);
    const privateKey =
      resolved.privateKey instanceof KeyObject ? resolved.privateKey : KeyObject.from(resolved.privateKey as CryptoKey);
    const key = { alg: resolved.alg, kid: resolved.kid, privateKey };
    this.current = { key, loadedAt: this.now() };
    return key;
  }
}

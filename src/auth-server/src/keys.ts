/**
 * Signing-key lifecycle on top of Better Auth's `jwks` table. Better Auth 1.7 mints keys
 * lazily with a read-then-create race (better-auth #5663) and has no rotate API, so the server
 * mints one at start-up, and rotation expires the live key rows and mints a successor at once.
 * Minting and rotating hold the key lock (a PostgreSQL advisory lock; in-process with SQLite),
 * so replicas starting or rotating together never mint two live keys. An expired row stays
 * published in the JWKS for the grace period, so tokens it signed keep verifying until they expire.
 */

import type { AuthContext } from "better-auth";
import { createJwk } from "better-auth/plugins/jwt";
import type { Auth } from "./auth.js";
import type { AuthServerConfig } from "./config.js";
import { type AuthDatabase, withDatabaseLock } from "./database.js";
import { ConfigError } from "./errors.js";
import { jwtPluginOptions } from "./jwt-options.js";
import { isLive, listKeyRows } from "./key-rows.js";

/** The key id new tokens are signed with, or `undefined` if none is live. */
export async function currentSigningKeyId(context: AuthContext): Promise<string | undefined> {
  const now = new Date();
  const live = (await listKeyRows(context)).filter((key) => isLive(key, now));
  live.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return live[0]?.id;
}

async function mintKey(context: AuthContext, config: AuthServerConfig): Promise<string> {
  const created = await createJwk({ context } as Parameters<typeof createJwk>[0], jwtPluginOptions(config));
  return created.id;
}

/** Any 64-bit number unique to this lock; "authjwks" in ASCII. */
const KEY_LOCK_ID = "7022647185765788531";

/** Runs `work` holding the key lock: across processes on PostgreSQL, within this one always. */
export function withKeyLock<T>(database: AuthDatabase, work: () => Promise<T>): Promise<T> {
  return withDatabaseLock(database, KEY_LOCK_ID, work);
}

/** Makes sure a live signing key exists; returns its id and whether it was just minted. */
export async function ensureSigningKey(
  context: AuthContext,
  config: AuthServerConfig,
  database: AuthDatabase,
): Promise<{ kid: string; created: boolean }> {
  const existing = await currentSigningKeyId(context);
  if (existing) return { kid: existing, created: false };
  return withKeyLock(database, async () => {
    // Another replica may have minted it while this one waited for the lock.
    const minted = await currentSigningKeyId(context);
    if (minted) return { kid: minted, created: false };
    return { kid: await mintKey(context, config), created: true };
  });
}

/**
 * Signs a throw-away payload with the live key. A secret that no longer decrypts the stored
 * keys (BETTER_AUTH_SECRET changed without BETTER_AUTH_SECRETS) fails here, at start-up, instead
 * of as a 500 on every token request.
 */
export async function assertCanSign(auth: Auth): Promise<void> {
  try {
    await auth.api.signJWT({ body: { payload: { sub: "authbridge-startup-check" } } });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `the signing key cannot be used (${reason.split(".")[0]}): BETTER_AUTH_SECRET must be the secret the keys were stored with; to change it, list both in BETTER_AUTH_SECRETS`,
    );
  }
}

/**
 * Introduces a new signing key now. The previous keys stop signing but stay in the JWKS for
 * `JWT_KEY_GRACE_SECONDS`.
 */
export async function rotateSigningKey(
  context: AuthContext,
  config: AuthServerConfig,
  database: AuthDatabase,
): Promise<{ previous: string[]; kid: string }> {
  return withKeyLock(database, async () => {
    const now = new Date();
    const live = (await listKeyRows(context)).filter((key) => isLive(key, now));
    for (const key of live) {
      await context.adapter.update({
        model: "jwks",
        where: [{ field: "id", value: key.id }],
        update: { expiresAt: now },
      });
    }
    const kid = await mintKey(context, config);
    return { previous: live.map((key) => key.id), kid };
  });
}

/**
 * Removes the key `kid` from the key set at once (a compromised key): the JWKS stops publishing
 * it with the next request, so verifiers drop it on their next refresh. If it was the live key a
 * successor is minted, so signing never stops.
 */
export async function revokeSigningKey(
  context: AuthContext,
  config: AuthServerConfig,
  database: AuthDatabase,
  kid: string,
): Promise<{ revoked: string; minted: string | undefined }> {
  return withKeyLock(database, async () => {
    if (!(await listKeyRows(context)).some((key) => key.id === kid))
      throw new KeyNotFoundError(`no signing key with kid ${kid}`);
    await context.adapter.delete({ model: "jwks", where: [{ field: "id", value: kid }] });
    const live = await currentSigningKeyId(context);
    return { revoked: kid, minted: live ? undefined : await mintKey(context, config) };
  });
}

export class KeyNotFoundError extends Error {
  override readonly name = "KeyNotFoundError";
}

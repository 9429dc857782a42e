/**
 * Client ids and secrets. A secret is 256 bits from the CSPRNG behind a fixed prefix, so a
 * secret scanner (GitHub's, gitleaks) can recognise a leaked one; only its SHA-256 is stored. A
 * fast hash is the right one here: the secret is random, not a password, so there is nothing
 * for a slow hash to protect against guessing that 2^256 does not already.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** What every client secret starts with: "authbridge client secret". */
export const SECRET_PREFIX = "abcs_";
/** What every client id starts with. */
export const CLIENT_ID_PREFIX = "client_";

/** 32 random bytes, base64url: 43 characters. */
const SECRET_PATTERN = /^abcs_[A-Za-z0-9_-]{43}$/;

export function newClientId(): string {
  return `${CLIENT_ID_PREFIX}${randomBytes(16).toString("base64url")}`;
}

export function newClientSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** The stored form of a secret: hex SHA-256 of the whole secret, prefix included. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Whether `presented` is the secret whose hash is `storedHash`, in time independent of where they differ. */
export function secretMatches(presented: string, storedHash: string): boolean {
  // A value that cannot be one of ours is refused without hashing (still a constant answer).
  if (!SECRET_PATTERN.test(presented)) return false;
  const given = Buffer.from(hashSecret(presented), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * Resolves the secret that encrypts the private signing keys at rest. Production must bring
 * its own; a development run generates one and keeps it on disk, because a new secret at every
 * restart would make every stored signing key undecryptable.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "./errors.js";
import { splitList } from "./list.js";
import { ensurePrivateDir, tightenIfPresent } from "./private-files.js";

export interface VersionedSecret {
  version: number;
  value: string;
}

const MIN_SECRET_LENGTH = 32;

export interface ResolveSecretInput {
  production: boolean;
  secret: string | undefined;
  /** Better Auth's `BETTER_AUTH_SECRETS` format: `2:newer,1:older` (first = current). */
  secrets: string | undefined;
  dataDir: string;
}

/** Returns the secret to use, generating and persisting one for development if needed. */
export function resolveSecret(input: ResolveSecretInput): {
  secret: string;
  secrets: VersionedSecret[] | undefined;
} {
  const secrets = input.secrets ? parseVersionedSecrets(input.secrets) : undefined;
  const current = secrets?.[0]?.value;
  const secret = input.secret || current;
  if (secret) {
    // In every environment: a short secret in development becomes a short secret in production.
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `BETTER_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters (unset it in development to have one generated)`,
      );
    }
    return { secret, secrets };
  }
  if (input.production) {
    throw new ConfigError(`BETTER_AUTH_SECRET is required in production (at least ${MIN_SECRET_LENGTH} characters)`);
  }
  return { secret: readOrCreateDevelopmentSecret(input.dataDir), secrets };
}

function parseVersionedSecrets(raw: string): VersionedSecret[] {
  const entries = splitList(raw).map((item) => {
    const colon = item.indexOf(":");
    const version = Number(item.slice(0, colon));
    const value = item.slice(colon + 1);
    if (colon <= 0 || !Number.isInteger(version) || version < 0 || value.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `BETTER_AUTH_SECRETS must be "version:secret" pairs with secrets of at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    return { version, value };
  });
  if (entries.length === 0) throw new ConfigError("BETTER_AUTH_SECRETS is empty");
  return entries;
}

function readOrCreateDevelopmentSecret(dataDir: string): string {
  const file = path.join(dataDir, "secret");
  try {
    tightenIfPresent(file);
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= MIN_SECRET_LENGTH) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  ensurePrivateDir(dataDir);
  const generated = randomBytes(32).toString("base64url");
  // `wx` so two processes starting together cannot overwrite each other's secret.
  try {
    fs.writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: "wx" });
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw error;
  }
}

/**
 * Stock Better Auth built the documented way (email and password, the `jwt` plugin with Ed25519
 * keys, `bearer`), migrated: the baseline the bench measures the auth server against, and the
 * server whose tokens the contract suite proves both verifiers accept.
 */
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { bearer, jwt } from "better-auth/plugins";
import type Database from "better-sqlite3";

export async function stockBetterAuth(options: { baseURL: string; secret: string; database: Database.Database }) {
  const auth = betterAuth({
    ...options,
    emailAndPassword: { enabled: true },
    plugins: [jwt({ jwks: { keyPairConfig: { alg: "EdDSA", crv: "Ed25519" } } }), bearer()],
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  return auth;
}

/**
 * A stock Better Auth server built the documented way (email and password, the `jwt` plugin
 * with Ed25519 keys, `bearer`), served by @hono/node-server: the baseline `npm run bench`
 * measures the authbridge auth server against. PORT and DATA_DIR from the environment.
 */
import fs from "node:fs";
import path from "node:path";
import { serve } from "@hono/node-server";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { bearer, jwt } from "better-auth/plugins";
import Database from "better-sqlite3";

const port = Number(process.env.PORT);
const url = `http://127.0.0.1:${port}`;
const dataDir = process.env.DATA_DIR ?? ".";
fs.mkdirSync(dataDir, { recursive: true });
const database = new Database(path.join(dataDir, "stock.sqlite"));
database.pragma("journal_mode = WAL");
const auth = betterAuth({
  baseURL: url,
  secret: "stock-better-auth-bench-secret-0123456789",
  database,
  emailAndPassword: { enabled: true },
  plugins: [jwt({ jwks: { keyPairConfig: { alg: "EdDSA", crv: "Ed25519" } } }), bearer()],
  telemetry: { enabled: false },
  logger: { disabled: true },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
serve({ fetch: auth.handler, hostname: "127.0.0.1", port }, () => process.stdout.write(`ready ${url}\n`));

/**
 * Stock Better Auth (stock-better-auth.ts) served by @hono/node-server, on SQLite under
 * DATA_DIR, on PORT: the baseline `npm run bench` measures the authbridge auth server against.
 */
import fs from "node:fs";
import path from "node:path";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { stockBetterAuth } from "./stock-better-auth.js";

const port = Number(process.env.PORT);
const url = `http://127.0.0.1:${port}`;
const dataDir = process.env.DATA_DIR ?? ".";
fs.mkdirSync(dataDir, { recursive: true });
const database = new Database(path.join(dataDir, "stock.sqlite"));
database.pragma("journal_mode = WAL");
const auth = await stockBetterAuth({
  baseURL: url,
  secret: "stock-better-auth-bench-secret-0123456789",
  database,
});
serve({ fetch: auth.handler, hostname: "127.0.0.1", port }, () => process.stdout.write(`ready ${url}\n`));

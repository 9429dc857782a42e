/**
 * Real PostgreSQL and Redis for the variants that need them, on the servers `TEST_DATABASE_URL`
 * and `TEST_REDIS_URL` name (`.ci/run` starts both); `undefined` where they are not configured.
 */
import { Redis } from "ioredis";
import pg from "pg";

export interface Database {
  readonly url: string;
  drop(): Promise<void>;
}

export const POSTGRES_SKIP_NOTE = "TEST_DATABASE_URL is not set: PostgreSQL variants are skipped";

async function onServer(admin: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A throw-away database on `admin`'s server (default `TEST_DATABASE_URL`), so runs never share
 * tables or keys.
 *
 * @example
 * const db = await createPostgresDatabase();
 * if (db) env.AUTH_DATABASE_URL = db.url; // … await db.drop()
 */
export async function createPostgresDatabase(
  admin: string | undefined = process.env.TEST_DATABASE_URL,
): Promise<Database | undefined> {
  if (!admin) return undefined;
  const name = `authbridge_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  await onServer(admin, `create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(admin, `drop database if exists ${name} with (force)`) };
}

/**
 * An emptied Redis database of its own on `TEST_REDIS_URL`'s server (one of 1–15, by process),
 * so parallel runs do not share rate-limit counters.
 */
export async function createRedisDatabase(
  base: string | undefined = process.env.TEST_REDIS_URL,
): Promise<{ url: string } | undefined> {
  if (!base) return undefined;
  const url = new URL(base);
  url.pathname = `/${1 + (process.pid % 15)}`;
  const redis = new Redis(url.toString());
  try {
    await redis.flushdb();
  } finally {
    await redis.quit();
  }
  return { url: url.toString() };
}

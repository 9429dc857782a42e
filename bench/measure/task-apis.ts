/** Both task APIs as users run them, creates and lists at 50 connections, on SQLite and PostgreSQL. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createPostgresDatabase,
  type Database,
  freePort,
  honoTaskApiCommand,
  pythonTaskApiCommand,
  startService,
} from "@authbridge/harness";
import { failures, load, say } from "../load.js";
import { benchClaims, benchKey } from "../tokens.js";

export type ApiName = "python-backend" | "hono-task-api";

export interface ApiRow {
  api: ApiName;
  database: string;
  op: "create" | "list";
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

const APIS: ApiName[] = ["python-backend", "hono-task-api"];

async function startTaskApi(api: ApiName, env: Record<string, string>) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const service = await startService({
    name: api,
    ...(api === "python-backend" ? pythonTaskApiCommand() : honoTaskApiCommand()),
    env: { ...env, LOG_LEVEL: "warning", HOST: "127.0.0.1", PORT: String(port) },
    readyUrl: `${base}/health`,
    deadlineMs: 30_000,
  });
  return { base, stop: () => service.stop() };
}

/** PostgreSQL on BENCH_DATABASE_URL (or TEST_DATABASE_URL), a database per API. */
async function postgresFor(): Promise<Record<ApiName, Database> | undefined> {
  const admin = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const python = await createPostgresDatabase(admin);
  const twin = python ? await createPostgresDatabase(admin) : undefined;
  return python && twin ? { "python-backend": python, "hono-task-api": twin } : undefined;
}

export async function taskApis(): Promise<ApiRow[]> {
  say("[bench] task APIs: creates and lists at 50 connections …");
  const key = benchKey();
  const claims = benchClaims();
  const auth = { authorization: `Bearer ${key.token(claims)}` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-bench-apis-"));
  const pg = await postgresFor();
  const databases: [string, (api: ApiName) => string][] = [
    ["SQLite", (api) => `sqlite:///${path.join(dir, `${api}.sqlite`)}`],
  ];
  if (pg) databases.push(["PostgreSQL", (api) => pg[api].url]);
  else say("[bench] BENCH_DATABASE_URL / TEST_DATABASE_URL unset: PostgreSQL rows skipped");
  const rows: ApiRow[] = [];
  try {
    for (const [database, urlFor] of databases) {
      for (const api of APIS) {
        const server = await startTaskApi(api, {
          AUTH_JWKS: JSON.stringify({ keys: [key.jwk] }),
          AUTH_ISSUER: String(claims.iss),
          AUTH_AUDIENCE: String(claims.aud),
          TASKS_DATABASE_URL: urlFor(api),
        });
        try {
          const create = await load({
            url: `${server.base}/api/tasks`,
            connections: 50,
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ title: "bench task" }),
          });
          const list = await load({ url: `${server.base}/api/tasks?limit=20`, headers: auth, connections: 50 });
          for (const [op, r] of [
            ["create", create],
            ["list", list],
          ] as const) {
            const row: ApiRow = {
              api,
              database,
              op,
              rps: r.requests.average,
              p50Ms: r.latency.p50,
              p99Ms: r.latency.p99,
              non2xx: failures([r]),
            };
            rows.push(row);
            say(
              `${`${api} ${database} ${op}`.padEnd(40)} ${row.rps.toFixed(0)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  non-2xx ${row.non2xx}`,
            );
          }
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    for (const db of Object.values(pg ?? {})) await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

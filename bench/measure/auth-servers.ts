/**
 * The auth server against stock Better Auth, each as its own process on SQLite with its default
 * logging, alternating per endpoint for two rounds; then `/api/auth/token` on one and on two
 * replicas sharing PostgreSQL and Redis.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clientsCli, createPostgresDatabase, freePort, type IssuedClient } from "@authbridge/harness";
import { failures, type LoadResult, load, mean, say } from "../load.js";
import { type BenchServer, OUR_ENV, sessionOn, startOurs, startStock } from "../servers.js";

export const AUTH_ENDPOINTS = ["/api/auth/token", "/api/auth/get-session", "/api/auth/jwks"] as const;
type ServerName = "stock" | "authbridge";

export interface AuthServerRow {
  server: ServerName;
  endpoint: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

export interface ReplicaResult {
  one: number;
  two: number;
  non2xx: number;
}

export interface AuthServersResult {
  rows: AuthServerRow[];
  /** The OAuth token endpoint (client credentials), authbridge only: stock has no such grant. */
  clientTokens: AuthServerRow;
  replicas: ReplicaResult | undefined;
}

export const CLIENT_TOKEN_ENDPOINT = "/api/auth/oauth2/token";

export async function authServers(): Promise<AuthServersResult> {
  say("[bench] auth server vs stock Better Auth …");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-bench-auth-"));
  const servers: Partial<Record<ServerName, BenchServer>> = {};
  const rows: AuthServerRow[] = [];
  let clientTokens: AuthServerRow | undefined;
  const oursEnv = { DATA_DIR: path.join(dir, "ours") };
  try {
    servers.stock = await startStock({ DATA_DIR: path.join(dir, "stock") });
    servers.authbridge = await startOurs(oursEnv);
    const running = servers as Record<ServerName, BenchServer>;
    const sessions = {
      stock: await sessionOn(running.stock.base),
      authbridge: await sessionOn(running.authbridge.base),
    };
    for (const endpoint of AUTH_ENDPOINTS) {
      const runs: Record<ServerName, LoadResult[]> = { stock: [], authbridge: [] };
      for (let round = 0; round < 2; round += 1) {
        for (const name of ["stock", "authbridge"] as const) {
          runs[name].push(
            await load({
              url: `${running[name].base}${endpoint}`,
              headers: { authorization: `Bearer ${sessions[name]}` },
              connections: 10,
            }),
          );
        }
      }
      for (const name of ["stock", "authbridge"] as const) {
        const r = runs[name];
        const row: AuthServerRow = {
          server: name,
          endpoint,
          rps: mean(r.map((x) => x.requests.average)),
          p50Ms: Math.max(...r.map((x) => x.latency.p50)),
          p99Ms: Math.max(...r.map((x) => x.latency.p99)),
          non2xx: failures(r),
        };
        rows.push(row);
        sayRow(row);
      }
    }
    clientTokens = await clientTokenLoad(running.authbridge.base, { ...OUR_ENV, ...oursEnv });
    sayRow(clientTokens);
  } finally {
    await servers.stock?.stop();
    await servers.authbridge?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!clientTokens) throw new Error("the client token endpoint was not measured");
  return { rows, clientTokens, replicas: await replicas() };
}

function sayRow(row: AuthServerRow): void {
  say(
    `${`${row.server} ${row.endpoint}`.padEnd(40)} ${row.rps.toFixed(0)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  non-2xx ${row.non2xx}`,
  );
}

/** `POST /api/auth/oauth2/token` for a client made with the CLI, HTTP Basic, two rounds. */
async function clientTokenLoad(base: string, env: Record<string, string>): Promise<AuthServerRow> {
  const created = await clientsCli(
    { ...env, BETTER_AUTH_URL: base },
    "create",
    "--name",
    "bench",
    "--scope",
    "tasks:read:any",
  );
  const client = created.lines[0] as IssuedClient | undefined;
  if (!client) throw new Error(`clients:create failed: ${created.stderr}`);
  const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64");
  const runs: LoadResult[] = [];
  for (let round = 0; round < 2; round += 1) {
    runs.push(
      await load({
        url: `${base}${CLIENT_TOKEN_ENDPOINT}`,
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
        connections: 10,
      }),
    );
  }
  return {
    server: "authbridge",
    endpoint: CLIENT_TOKEN_ENDPOINT,
    rps: mean(runs.map((x) => x.requests.average)),
    p50Ms: Math.max(...runs.map((x) => x.latency.p50)),
    p99Ms: Math.max(...runs.map((x) => x.latency.p99)),
    non2xx: failures(runs),
  };
}

/** `/api/auth/token` on one and on two replicas sharing PostgreSQL and Redis. */
async function replicas(): Promise<ReplicaResult | undefined> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  const database = redisUrl
    ? await createPostgresDatabase(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)
    : undefined;
  if (!redisUrl || !database) {
    say("[bench] PostgreSQL or Redis unset: the replica rows are skipped");
    return undefined;
  }
  say("[bench] auth server replicas on PostgreSQL + Redis …");
  // Replicas behind one public URL: one issuer, and each other's origin trusted.
  const ports = [await freePort(), await freePort()];
  const env = {
    AUTH_DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    JWT_ISSUER: "http://auth.bench.test",
    JWT_AUDIENCE: "http://auth.bench.test",
    TRUSTED_ORIGINS: ports.map((port) => `http://127.0.0.1:${port}`).join(","),
  };
  const started: BenchServer[] = [];
  try {
    for (const port of ports) started.push(await startOurs(env, port));
    const session = await sessionOn((started[0] as BenchServer).base);
    const tokenLoad = (server: BenchServer) =>
      load({ url: `${server.base}/api/auth/token`, headers: { authorization: `Bearer ${session}` }, connections: 10 });
    const one = await tokenLoad(started[0] as BenchServer);
    const two = await Promise.all(started.map(tokenLoad));
    const result = {
      one: one.requests.average,
      two: two.reduce((sum, r) => sum + r.requests.average, 0),
      non2xx: failures([one, ...two]),
    };
    say(`replicas: one ${result.one.toFixed(0)} req/s, two ${result.two.toFixed(0)} req/s`);
    return result;
  } finally {
    for (const server of started) await server.stop();
    await database.drop();
  }
}

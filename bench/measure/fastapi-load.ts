/**
 * The latency cost of authentication on the FastAPI task API under load: `GET /api/tasks` with a
 * Bearer JWT against the same query without authentication (python-backend/bench/load_app.py),
 * with the verified-token cache on and off.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, ROOT, startService, uvicornCommand } from "@authbridge/harness";
import { type LoadResult, load, mean, say } from "../load.js";
import { benchClaims, benchKey } from "../tokens.js";

export interface LoadRow {
  name: string;
  rps: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

const ROUNDS = 3;

async function startLoadApp(env: Record<string, string>) {
  const port = await freePort();
  const service = await startService({
    name: "load_app",
    ...uvicornCommand(port, {
      app: "load_app:app",
      cwd: path.join(ROOT, "python-backend", "bench"),
      logLevel: "warning",
    }),
    env,
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
  return { base: `http://127.0.0.1:${port}`, stop: () => service.stop() };
}

function summarize(name: string, results: LoadResult[]): LoadRow {
  const row = {
    name,
    rps: mean(results.map((r) => r.requests.average)),
    meanMs: mean(results.map((r) => r.latency.average)),
    p50Ms: mean(results.map((r) => r.latency.p50)),
    p99Ms: mean(results.map((r) => r.latency.p99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
  };
  say(
    `${name.padEnd(52)} ${row.rps.toFixed(0)} req/s  mean ${row.meanMs.toFixed(2)} ms  p99 ${row.p99Ms.toFixed(0)} ms  errors ${row.non2xx}`,
  );
  return row;
}

/** Alternates the open and the protected route, so drift hits both alike; averages the rounds. */
async function measure(base: string, auth: Record<string, string>, label: string): Promise<LoadRow[]> {
  const open: LoadResult[] = [];
  const guarded: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    open.push(await load({ url: `${base}/bench/tasks`, connections: 10 }));
    guarded.push(await load({ url: `${base}/api/tasks`, headers: auth, connections: 10 }));
  }
  return [
    summarize(`GET /bench/tasks (no auth)${label}`, open),
    summarize(`GET /api/tasks (Bearer JWT)${label}`, guarded),
  ];
}

export async function fastapiLoad(): Promise<LoadRow[]> {
  say("[bench] FastAPI under load …");
  const key = benchKey();
  const claims = benchClaims({ email: "b@example.test", name: "Bench", email_verified: true });
  const auth = { authorization: `Bearer ${key.token(claims)}` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-bench-"));
  const env = {
    AUTH_JWKS: JSON.stringify({ keys: [key.jwk] }),
    AUTH_ISSUER: String(claims.iss),
    AUTH_AUDIENCE: String(claims.aud),
    TASKS_DATABASE_URL: `sqlite:///${path.join(dir, "tasks.sqlite")}`,
    BENCH_USER: String(claims.sub),
  };
  try {
    const cached = await startLoadApp(env);
    let rows: LoadRow[];
    try {
      for (let i = 0; i < 10; i += 1) {
        const res = await fetch(`${cached.base}/api/tasks`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ title: `task ${i}` }),
        });
        if (res.status !== 201) throw new Error(`seeding failed: ${res.status}`);
      }
      rows = await measure(cached.base, auth, "");
    } finally {
      await cached.stop();
    }
    // The same with the verified-token cache off: every request pays the signature.
    const uncached = await startLoadApp({ ...env, AUTH_TOKEN_CACHE_SIZE: "0" });
    try {
      rows.push(...(await measure(uncached.base, auth, ", token cache off")));
    } finally {
      await uncached.stop();
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

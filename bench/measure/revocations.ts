/**
 * The revocation feed under 100,000 revocations in one token lifetime: what the auth server
 * serves (bytes, entries, the fold into `not_before`), what building and revalidating it costs,
 * and what following it costs each verifier in memory (a child process per language).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { contextOf } from "@authbridge/auth-server/auth";
import { buildFeed, countsOf, REVOKED_SESSION_MODEL } from "@authbridge/auth-server/revocation";
import { ROOT, startAuthServer } from "@authbridge/harness";
import { say } from "../load.js";

export const REVOCATIONS = 100_000;

export interface RevocationResult {
  revocations: number;
  insertSeconds: number;
  feedBytes: number;
  entries: number;
  notBefore: number;
  buildMs: number;
  checkMs: number;
  revalidateMs: number;
  nodeHeapBytes: number;
  pythonBytes: number;
}

// Asynchronous: the auth server the children read from answers from this process's event loop.
const run = promisify(execFile);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** The last JSON line a child prints. */
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1) as string) as { bytes: number };

export async function revocationFeed(): Promise<RevocationResult> {
  say(`[bench] the revocation feed with ${REVOCATIONS.toLocaleString("en-US")} revocations …`);
  const auth = await startAuthServer({ LOG_LEVEL: "error", RATE_LIMIT_MAX: "1000000" });
  try {
    const context = await contextOf(auth.server.auth);
    const now = Date.now();
    const started = performance.now();
    // Spread over the last 14 minutes: every one could still be named by a live token.
    for (let i = 0; i < REVOCATIONS; i += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, j) =>
          context.adapter.create({
            model: REVOKED_SESSION_MODEL,
            data: { sid: `s${String(i + j).padStart(21, "0")}`, revokedAt: new Date(now - (i + j) * 8.4) },
          }),
        ),
      );
    }
    const insertSeconds = (performance.now() - started) / 1000;
    const options = { userTokenTtlSeconds: auth.server.config.jwt.ttlSeconds, clientTokenTtlSeconds: 3600 };
    const builds: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      await buildFeed(context, options);
      builds.push(performance.now() - t);
    }
    const checks: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      await countsOf(context, new Date(now - 15 * 60_000));
      checks.push(performance.now() - t);
    }
    const url = `${auth.url}/api/auth/revocations`;
    const first = await fetch(url);
    const body = await first.text();
    const feed = JSON.parse(body) as { sessions: string[]; clients: string[]; not_before: number };
    const etag = first.headers.get("etag") ?? "";
    const revalidations: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const t = performance.now();
      const res = await fetch(url, { headers: { "if-none-match": etag } });
      await res.arrayBuffer();
      if (res.status !== 304) throw new Error(`revalidation answered ${res.status}`);
      revalidations.push(performance.now() - t);
    }
    const env = { ...process.env, REVOCATION_URL: url };
    const node = lastJson(
      (
        await run(
          process.execPath,
          ["--expose-gc", "--conditions=authbridge-source", "--import", "tsx", "bench/revocation-memory.ts"],
          { cwd: ROOT, env },
        )
      ).stdout,
    );
    const cwd = path.join(ROOT, "python-backend");
    const python = lastJson(
      (await run(path.join(cwd, ".venv", "bin", "python"), ["bench/revocation_memory.py"], { cwd, env })).stdout,
    );
    return {
      revocations: REVOCATIONS,
      insertSeconds,
      feedBytes: Buffer.byteLength(body),
      entries: feed.sessions.length + feed.clients.length,
      notBefore: feed.not_before,
      buildMs: median(builds),
      checkMs: median(checks),
      revalidateMs: median(revalidations),
      nodeHeapBytes: node.bytes,
      pythonBytes: python.bytes,
    };
  } finally {
    await auth.close();
  }
}

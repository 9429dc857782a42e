/** docs/benchmarks.md from the figures of one run: the layout, the ratios and the prose around them. */
import os from "node:os";
import { LOAD_SECONDS } from "./load.js";
import type { AuthServerRow, AuthServersResult } from "./measure/auth-servers.js";
import type { EnumerationResult } from "./measure/enumeration.js";
import type { LoadRow } from "./measure/fastapi-load.js";
import type { RevocationResult } from "./measure/revocations.js";
import type { ApiRow } from "./measure/task-apis.js";
import type { VerifyResult, VerifyRow } from "./measure/verify.js";

export interface Figures {
  nodeVerify: VerifyResult;
  pythonVerify: VerifyResult;
  load: LoadRow[];
  apis: ApiRow[];
  authServers: AuthServersResult;
  enumeration: EnumerationResult;
  revocations: RevocationResult;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function ops(rows: VerifyRow[], includes: string): number {
  const row = rows.find((r) => r.name.includes(includes));
  if (!row) throw new Error(`no verify row named like "${includes}"`);
  return row.opsPerSec;
}

const ratioTable = (rows: VerifyRow[], baseline: number) =>
  rows.map((r) => `| ${r.name} | ${fmt(r.opsPerSec)} | ${(r.opsPerSec / baseline).toFixed(2)}× |`).join("\n");

/** The enumeration table: each endpoint's two medians and p90s, and how far apart the medians are. */
export function enumerationRows({ rows }: EnumerationResult): string {
  return rows
    .map((row) => {
      const gap = Math.abs(row.fresh.median - row.existing.median);
      const share = (gap / Math.max(row.fresh.median, row.existing.median)) * 100;
      return `| ${row.name} (\`${row.route}\`) | ${row.fresh.median.toFixed(1)} ms / ${row.fresh.p90.toFixed(1)} ms | ${row.existing.median.toFixed(1)} ms / ${row.existing.p90.toFixed(1)} ms | ${gap.toFixed(1)} ms (${share.toFixed(0)} %) |`;
    })
    .join("\n");
}

function stockOf(rows: AuthServerRow[], endpoint: string, server: AuthServerRow["server"] = "stock"): AuthServerRow {
  const row = rows.find((x) => x.server === server && x.endpoint === endpoint);
  if (!row) throw new Error(`no ${server} row for ${endpoint}`);
  return row;
}

function authServerRows(rows: AuthServerRow[]): string {
  return rows
    .map((r) => {
      const stock = stockOf(rows, r.endpoint);
      return `| \`${r.endpoint}\` | ${r.server === "stock" ? "stock Better Auth" : "authbridge"} | ${fmt(r.rps)} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.non2xx} | ${(r.rps / stock.rps).toFixed(2)}× |`;
    })
    .join("\n");
}

/** The client credentials endpoint, beside the user token route (stock Better Auth has no such grant). */
function clientTokenRow({ rows, clientTokens: r }: AuthServersResult): string {
  const users = stockOf(rows, "/api/auth/token", "authbridge");
  return `| \`POST ${r.endpoint}\` (client credentials) | authbridge | ${fmt(r.rps)} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.non2xx} | — (${(r.rps / users.rps).toFixed(2)}× the user token route) |`;
}

function authServerNotes({ rows, clientTokens, replicas }: AuthServersResult): string {
  const ratio = (endpoint: string) =>
    (stockOf(rows, endpoint, "authbridge").rps / stockOf(rows, endpoint).rps).toFixed(2);
  const lines = [
    `- **\`/api/auth/token\`: ${ratio("/api/auth/token")}× stock** (target ≥ 3×). Stock Better Auth 1.7 rebuilds its router, runs its HMACs through WebCrypto and re-reads, decrypts and imports the signing key on every call; the auth server answers a valid session itself (one session read, the imported key cached, a synchronous Ed25519 signature) and leaves every other case to Better Auth.`,
    `- \`/api/auth/jwks\`: ${ratio("/api/auth/jwks")}× stock: the key rows are read per request (so every replica publishes a new key at once) and the body is rendered once per key-set change.`,
    `- \`/api/auth/get-session\`: ${ratio("/api/auth/get-session")}× stock: Better Auth's own endpoint, unchanged (it also refreshes sessions and sets cookies).`,
    `- **\`POST /api/auth/oauth2/token\`** (a machine client, HTTP Basic, client credentials): ${fmt(clientTokens.rps)} req/s. Each request reads the client row (so a revocation holds at once on every replica), hashes the presented secret (SHA-256), counts it on two limiters and signs with the cached key; stock Better Auth 1.7 has no client credentials grant of its own to compare with.`,
  ];
  if (replicas) {
    lines.push(
      `- **Two replicas** on one PostgreSQL and one Redis, \`/api/auth/token\`: one replica ${fmt(replicas.one)} req/s, two ${fmt(replicas.two)} req/s together (${(replicas.two / replicas.one).toFixed(2)}×), non-2xx ${replicas.non2xx}. This machine has ${os.cpus().length} cores, shared with PostgreSQL, Redis and the load generator, so the second replica adds less than it would on its own machine.`,
    );
  }
  return lines.join("\n");
}

/** The overhead of `guarded` over `open`, in percent of the open route's mean latency. */
export const overheadOf = (open: LoadRow, guarded: LoadRow) => ((guarded.meanMs - open.meanMs) / open.meanMs) * 100;

export function renderReport(figures: Figures): string {
  const { nodeVerify, pythonVerify, load, apis, authServers, enumeration, revocations } = figures;
  const nodeRaw = nodeVerify.rows[0]?.opsPerSec ?? 1;
  const nodeFresh = ops(nodeVerify.rows, "decoded per call");
  const sdkCold = ops(nodeVerify.rows, "uncached");
  const sdkCached = ops(nodeVerify.rows, "cached token");
  const sdkCrowded = ops(nodeVerify.rows, "among 9,000");
  const pyRaw = pythonVerify.rows[0]?.opsPerSec ?? 1;
  const pyFresh = pythonVerify.rows[1]?.opsPerSec ?? 1;
  const pyOurs = ops(pythonVerify.rows, "uncached");
  const pyCached = ops(pythonVerify.rows, "cached token");
  const pyCrowded = ops(pythonVerify.rows, "among 9,000");
  const [open, guarded, openUncached, guardedUncached] = load as [LoadRow, LoadRow, LoadRow, LoadRow];
  const overhead = overheadOf(open, guarded);
  const overheadUncached = overheadOf(openUncached, guardedUncached);
  const apiRow = (api: ApiRow["api"], database: string) => {
    const row = apis.find((r) => r.api === api && r.database === database && r.op === "create");
    if (!row) throw new Error(`no create row for ${api} on ${database}`);
    return row;
  };
  const apiRatios = [...new Set(apis.map((r) => r.database))].map((database) => {
    const py = apiRow("python-backend", database);
    const ts = apiRow("hono-task-api", database);
    return `- ${database}: python-backend creates at **${((py.rps / ts.rps) * 100).toFixed(0)} %** of the twin's req/s (goal ≥ 50 %), p99 **${py.p99Ms} ms** (goal < 200 ms on SQLite); non-2xx ${py.non2xx}.`;
  });
  return `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB,
Node ${process.version}, Python ${pythonVerify.python}. One process, one core per row; figures move by
±5 % between runs on this shared machine, so compare rows of the same run.

## TypeScript: verifying one token (Node)

| path | ops/s | vs raw |
|---|---:|---:|
${ratioTable(nodeVerify.rows, nodeRaw)}

- **Uncached SDK verify: ${(sdkCold / nodeRaw).toFixed(2)}× raw** (target ≥ 0.9×), and
  ${(sdkCold / nodeFresh).toFixed(2)}× a raw verify that, like any server, decodes a new signature
  per call. The raw row reuses one signature buffer, which Node verifies measurably faster than
  fresh bytes; the rest of the gap is parsing two JSON parts and the claim checks (≈ 2.5 µs of ≈ 85 µs).
- **Cached token: ${fmt(sdkCached / nodeRaw)}× raw** (target ≥ 20×): a bounded cache keyed by the token (second-chance eviction);
  a hit still checks \`exp\` and that the token's key is still the one the JWKS maps its kid to.
- **Hot token among 9,000 cached: ${(sdkCrowded / sdkCached).toFixed(2)}× the empty cache** (target ≥ 0.5×):
  a hit only sets a second-chance bit (no Map re-insertion), so a busy client's token costs the same
  however full the cache is.
- jose \`jwtVerify\` (WebCrypto, async) and \`hono/jwk\` (jose plus a Hono request) for comparison.

## Python: verifying one token

| path | ops/s | vs raw |
|---|---:|---:|
${ratioTable(pythonVerify.rows, pyRaw)}

- **authbridge \`Verifier.verify\`, uncached: ${(pyOurs / pyRaw).toFixed(2)}× raw** (target ≥ 0.9×), and
  ${(pyOurs / pyFresh).toFixed(2)}× a raw verify with a freshly decoded signature. The remaining ≈ 10 µs is
  CPython itself: three base64 decodes, two \`json\` parses, the claim checks and one coroutine call. It beats
  PyJWT's own \`jwt.decode\` with a prepared key while doing the contract's stricter checks.
- Cached token: ${fmt(pyCached / pyRaw)}× raw. **Hot token among 9,000 cached: ${(pyCrowded / pyCached).toFixed(2)}×
  the empty cache** (target ≥ 0.5×; \`OrderedDict.move_to_end\` is O(1) in C).

${revocationSection(nodeVerify, pythonVerify, revocations)}

## FastAPI task API under load

\`GET /api/tasks\` (10 tasks, SQLite) on uvicorn, one worker, against the same query without
authentication; autocannon, 10 connections, on loopback; the two routes alternate for three
rounds of ${LOAD_SECONDS} s each and the rounds are averaged, so machine drift hits both alike.

| route | req/s | mean latency | p50 | p99 | non-2xx |
|---|---:|---:|---:|---:|---:|
${load.map((r) => `| ${r.name} | ${fmt(r.rps)} | ${r.meanMs.toFixed(2)} ms | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.non2xx} |`).join("\n")}

- **Authentication overhead: ${overhead.toFixed(1)} % of mean latency** (target ≤ 10 %) for a client
  that reuses its token, as every client does for the token's 15 minutes (verified-token cache hits);
  **${overheadUncached.toFixed(1)} %** with the cache off, when every request pays the ≈ 0.1 ms
  signature check and the header and claim parsing. Differences of a few percent are within this
  machine's run-to-run noise; the request itself (FastAPI, SQLite) costs ≈ 1.7 ms of CPU.

## Task APIs side by side: creates and lists at 50 connections

Each API as users run it (\`python -m task_api\`, the twin's \`main.ts\`), one process, on its own
database; one user and one reused token (as a frontend sends them); autocannon, 50 connections,
${LOAD_SECONDS} s after a 1 s warm-up. \`POST /api/tasks\` creates, \`GET /api/tasks?limit=20\` lists.

| API | database | operation | req/s | p50 | p99 | non-2xx |
|---|---|---|---:|---:|---:|---:|
${apis.map((r) => `| ${r.api} | ${r.database} | ${r.op} | ${fmt(r.rps)} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.non2xx} |`).join("\n")}

${apiRatios.join("\n")}

## The auth server against stock Better Auth

Each server as users run it, one process on SQLite with its default logging (the auth server writes
a request line and an audit line per token): the auth server (\`src/auth-server/src/main.ts\`,
\`NODE_ENV=production\`) and stock Better Auth 1.7 built the documented way (email and password,
\`jwt()\` with Ed25519, \`bearer()\`; \`bench/stock-auth-server.ts\`). One user, its session token as
\`Authorization: Bearer\`; autocannon, 10 connections, ${LOAD_SECONDS} s after a 1 s warm-up; the two
servers alternate for two rounds per endpoint (req/s averaged, the worse p50/p99 kept).

| endpoint | server | req/s | p50 | p99 | non-2xx | vs stock |
|---|---|---:|---:|---:|---:|---:|
${authServerRows(authServers.rows)}
${clientTokenRow(authServers)}

${authServerNotes(authServers)}

## No endpoint that takes an email tells whether it has an account

With email verification on and mail delivered to a real SMTP server (MailDev), each endpoint that
takes an email gets ${enumeration.rounds} requests for addresses without an account alternating with
${enumeration.rounds} for one with an account (sequential, one process, SQLite). Each pair answers
with the same status and body; the time they take (median / p90):

| endpoint | no account | has an account | medians apart |
|---|---:|---:|---:|
${enumerationRows(enumeration)}

Sign-up and sign-in hash the password on both paths (scrypt), which is most of their time. Mail
(verification, reset, "someone tried to register") goes out after the answer, through Better
Auth's background tasks, so no answer waits for SMTP; what remains is a database write or two.
`;
}

/** What the revocation feed costs per verification (both languages) and under 100,000 revocations. */
function revocationSection(node: VerifyResult, python: VerifyResult, feed: RevocationResult): string {
  const cost = (rows: VerifyRow[], off: string, on: string) => {
    const [a, b] = [ops(rows, off), ops(rows, on)];
    return { perCallUs: 1e6 / b - 1e6 / a, share: ((1e6 / b - 1e6 / a) / (1e6 / a)) * 100 };
  };
  const coldShare = (rows: VerifyRow[], label: string, off: string, on: string, uncached: string) => {
    const hit = cost(rows, off, on);
    const uncachedUs = 1e6 / ops(rows, uncached);
    return `- ${label}: a verification with the feed on costs **${hit.perCallUs.toFixed(2)} µs more on a token cache hit**, ${((hit.perCallUs / uncachedUs) * 100).toFixed(2)} % of an uncached verify (target ≤ 2 %); uncached, the feed row is ${((ops(rows, "revocation feed (10,000 listed), no token cache") / ops(rows, uncached)) * 100).toFixed(1)} % of the feed-off row's rate (the two differ by one set lookup and this machine's noise).`;
  };
  return `## Revocation: following the feed (CONTRACT §8)

Per verification: the rows "+ revocation feed (10,000 listed)" above verify the same token with a
real feed on loopback listing 10,000 ended sessions (the cap), polled every 5 s.

${coldShare(node.rows, "TypeScript", "cached token", "revocation feed (10,000 listed), token cache hit", "uncached")}
${coldShare(python.rows, "Python", "cached token", "revocation feed (10,000 listed), token cache hit", "uncached")}

Under ${fmt(feed.revocations)} revocations within one token lifetime (rows written in ${feed.insertSeconds.toFixed(1)} s, SQLite):

| measure | value |
|---|---:|
| entries the feed lists (the cap) | ${fmt(feed.entries)} |
| \`not_before\` (the rest folded) | ${feed.notBefore > 0 ? "set" : "0"} |
| feed body | ${(feed.feedBytes / 1024).toFixed(0)} KiB (limit 1,024 KiB) |
| checking whether anything changed (two indexed counts), median of 5 | ${feed.checkMs.toFixed(1)} ms, at most once a second per replica |
| building it (two indexed queries, sort, render), median of 5 | ${feed.buildMs.toFixed(0)} ms, only after a change (at most once a second) or every 30 s |
| revalidating it (\`If-None-Match\` → 304), median of 50 | ${feed.revalidateMs.toFixed(2)} ms |
| TypeScript verifier's heap for the list | ${(feed.nodeHeapBytes / 2 ** 20).toFixed(1)} MiB |
| Python verifier's memory for the list (tracemalloc) | ${(feed.pythonBytes / 2 ** 20).toFixed(1)} MiB |

The list is bounded by the cap whatever the number of revocations: past it the oldest entries
are folded into \`not_before\`, so the feed, the verifiers' sets and the per-request cost stay
what this table shows.`;
}

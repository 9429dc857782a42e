/**
 * Verify speed on Node, in one run: the SDK uncached and cached, jose `jwtVerify` with a local
 * JWKS, `hono/jwk`, and a raw `node:crypto` Ed25519 verify (the floor every JWT verifier pays).
 * Prints a JSON summary on the last line for bench/measure/verify.ts.
 */
import { verify } from "node:crypto";
import os from "node:os";
import { createVerifier } from "@authbridge/verifier";
import { serveJwks } from "@authbridge/verifier/testing";
import { Hono } from "hono";
import { jwk } from "hono/jwk";
import { createLocalJWKSet, jwtVerify } from "jose";
import { Bench } from "tinybench";
import { benchKey } from "./tokens.js";

const key = benchKey();
const { publicKey, jwk: publicJwk } = key;
const claims = {
  sub: "user-1",
  email: "user-1@example.test",
  name: "User One",
  email_verified: true,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 3600,
  iss: "http://127.0.0.1:3000",
  aud: "http://127.0.0.1:3000",
  sid: "bench-session-0000000",
};
const token = key.token(claims);
const input = token.slice(0, token.lastIndexOf("."));
const signatureB64 = token.slice(token.lastIndexOf(".") + 1);
const signature = Buffer.from(signatureB64, "base64url");
const inputBytes = Buffer.from(input);

const options = { jwks: { keys: [publicJwk] }, issuer: claims.iss, audience: claims.aud };
const cold = createVerifier({ ...options, tokenCacheSize: 0 });
const cached = createVerifier(options);
// One hot token among 9,000 others cached: a hit must not slow down as the cache fills.
const crowded = createVerifier(options);
for (let i = 0; i < 9000; i += 1) {
  await crowded.verify(key.token({ ...claims, sub: `other-${i}` }));
}
await crowded.verify(token);
// The revocation feed on, as a backend runs it: a real feed on loopback listing 10,000 ended
// sessions (the cap), polled every 5 s (304s, and a parse of the list when it changes).
const feed = await serveJwks();
feed.revokedSessions.push(...Array.from({ length: 10_000 }, (_, i) => `ended-session-${String(i).padStart(8, "0")}`));
const feedOptions = { ...options, revocationUrl: feed.revocationUrl };
const coldFeed = createVerifier({ ...feedOptions, tokenCacheSize: 0 });
const cachedFeed = createVerifier(feedOptions);
await Promise.all([coldFeed.warm(), cachedFeed.warm()]);
const localJwks = createLocalJWKSet({ keys: [publicJwk] });
const honoApp = new Hono();
honoApp.use("/*", jwk({ keys: [publicJwk as never], alg: ["EdDSA"] }));
honoApp.get("/", (c) => c.text("ok"));
const honoRequest = () => new Request("http://x/", { headers: { authorization: `Bearer ${token}` } });

// Warm every path once (and prove each accepts the token).
if ((await cold.verify(token)).id !== "user-1") throw new Error("sdk");
await cached.verify(token);
if ((await coldFeed.verify(token)).id !== "user-1") throw new Error("sdk with the revocation feed");
await cachedFeed.verify(token);
await jwtVerify(token, localJwks, { issuer: claims.iss, audience: claims.aud });
if ((await honoApp.request(honoRequest())).status !== 200) throw new Error("hono/jwk refused the token");
if (!verify(null, inputBytes, publicKey, signature)) throw new Error("raw");

const bench = new Bench({ time: Number(process.env.BENCH_MS ?? 1500), warmupTime: 300 });
bench
  .add("raw node:crypto Ed25519 verify", () => {
    verify(null, inputBytes, publicKey, signature);
  })
  .add("raw node:crypto verify, signature decoded per call", () => {
    // What a server really does: the signature bytes are new on every request.
    verify(null, inputBytes, publicKey, Buffer.from(signatureB64, "base64url"));
  })
  .add("@authbridge/verifier, uncached", async () => {
    await cold.verify(token);
  })
  .add("@authbridge/verifier, cached token", async () => {
    await cached.verify(token);
  })
  .add("@authbridge/verifier, hot token among 9,000 cached", async () => {
    await crowded.verify(token);
  })
  .add("jose jwtVerify + createLocalJWKSet", async () => {
    await jwtVerify(token, localJwks, { issuer: claims.iss, audience: claims.aud });
  })
  .add("hono/jwk middleware (app.request)", async () => {
    await honoApp.request(honoRequest());
  })
  .add("@authbridge/verifier + revocation feed (10,000 listed), no token cache", async () => {
    await coldFeed.verify(token);
  })
  .add("@authbridge/verifier + revocation feed (10,000 listed), token cache hit", async () => {
    await cachedFeed.verify(token);
  });
await bench.run();
await feed.close();

const rows = bench.tasks.map((task) => {
  const result = task.result as { throughput?: { mean: number }; latency?: { mean: number; p99?: number } } | undefined;
  return { name: task.name, opsPerSec: result?.throughput?.mean ?? 0, meanUs: (result?.latency?.mean ?? 0) * 1000 };
});
const raw = rows[0]?.opsPerSec ?? 1;
for (const row of rows) {
  console.log(
    `${row.name.padEnd(40)} ${Math.round(row.opsPerSec).toString().padStart(10)} ops/s  ${(row.opsPerSec / raw).toFixed(2)}× raw`,
  );
}
console.log(JSON.stringify({ kind: "node-verify", node: process.version, cpu: os.cpus()[0]?.model, rows }));

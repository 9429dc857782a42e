/** `npm start` entry of the twin: configuration from the environment, graceful shutdown. */
import { verifierFromEnv } from "@authbridge/verifier";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { openStore } from "./store/index.js";

let config: ReturnType<typeof loadConfig>;
let verifier: ReturnType<typeof verifierFromEnv>;
try {
  config = loadConfig(process.env);
  // The verifier's warnings (a failed JWKS fetch, a refused issuer) as this process's JSON lines.
  const line = (level: string) => (msg: string) => process.stdout.write(`${JSON.stringify({ level, msg })}\n`);
  verifier = verifierFromEnv(process.env, { logger: { warn: line("warn"), info: line("info") } });
} catch (error) {
  process.stderr.write(`hono-task-api: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(78);
}
const store = openStore(config.databaseUrl, {
  maxConnections: config.maxConnections,
  busyTimeoutMs: config.busyTimeoutMs,
});
// A JWKS that is down at start-up is not fatal: requests get the contract's 503 until it answers.
// The verifier logs the failed fetch (URL and status), so a wrong URL shows at once.
await verifier.warm();
const server = serve(
  {
    fetch: createApp({
      verifier,
      store,
      corsOrigins: config.corsOrigins,
      maxBodyBytes: config.maxBodyBytes,
      adminRequiresMfa: config.adminRequiresMfa,
    }).fetch,
    hostname: config.host,
    port: config.port,
  },
  (info) => {
    process.stdout.write(
      `${JSON.stringify({ level: "info", msg: "listening", url: `http://${config.host}:${info.port}` })}\n`,
    );
  },
);

const stop = () => {
  server.close(() => {
    store.close().finally(() => process.exit(0));
  });
  (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  setTimeout(() => process.exit(1), 10_000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

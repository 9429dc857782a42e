/**
 * `npm start` entry: load the configuration, start the auth server, stop it cleanly on
 * SIGINT / SIGTERM. A configuration error exits non-zero with one line.
 */
import { serve } from "@hono/node-server";
import { createAuthServer } from "./app.js";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`auth-server: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const server = await createAuthServer(config).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`auth-server: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  });
  const httpServer = serve({ fetch: server.app.fetch, hostname: config.host, port: config.port }, (info) => {
    server.log.info("listening", {
      url: `http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}`,
      jwks: `${config.baseURL}/.well-known/jwks.json`,
      database: config.databaseUrl ? "postgres" : "sqlite",
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info("shutting down", { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    httpServer.close(async () => {
      await server.close();
      process.exit(0);
    });
    // Idle keep-alive sockets would otherwise hold `close` open until they time out.
    (httpServer as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`auth-server: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

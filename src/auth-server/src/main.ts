/**
 * `npm start` entry: load the configuration, start the auth server, stop it cleanly on
 * SIGINT / SIGTERM. A configuration error exits non-zero with one line.
 */

import { format, stripVTControlCharacters } from "node:util";
import { serve } from "@hono/node-server";
import { createAuthServer } from "./app.js";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import type { Logger } from "./logger.js";

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
  routeConsoleToLog(server.log);
  const httpServer = serve({ fetch: server.app.fetch, hostname: config.host, port: config.port }, (info) => {
    server.log.info("listening", {
      url: `http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}`,
      jwks: `${config.baseURL}/.well-known/jwks.json`,
      // What verifiers must expect (AUTH_ISSUER / AUTH_AUDIENCE): a wrong value is a 401 there.
      issuer: config.jwt.issuer,
      audience: Array.isArray(config.jwt.audience) ? config.jwt.audience.join(",") : config.jwt.audience,
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

/**
 * A library that prints with `console.*` (with colour codes, or several lines) would break the
 * JSON-lines stream: its text becomes the `detail` of one log line, colour codes removed.
 */
function routeConsoleToLog(log: Logger): void {
  const to =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) =>
      log[level]("console", { detail: stripVTControlCharacters(format(...args)).slice(0, 2000) });
  console.log = to("info");
  console.info = to("info");
  console.debug = to("debug");
  console.warn = to("warn");
  console.error = to("error");
}

main().catch((error: unknown) => {
  process.stderr.write(`auth-server: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

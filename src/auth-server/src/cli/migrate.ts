/** `npm run migrate`: create or update the auth tables and make sure a signing key exists. */
import { createAuthServer } from "../app.js";
import { loadConfig } from "../config.js";

const server = await createAuthServer(loadConfig(process.env), { listenForKeyChanges: false });
server.log.info("migrated", { database: server.config.databaseUrl ? "postgres" : "sqlite" });
await server.close();

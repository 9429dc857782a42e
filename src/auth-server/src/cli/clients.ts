/**
 * Machine clients from the command line (docs/contract.md §6), one JSON line per result on
 * stdout, so a script can read it; logs go to stderr.
 *
 *   npm run clients:create -- --name <name> --scope "<space-separated scopes>"
 *   npm run clients:list
 *   npm run clients:rotate-secret -- <client_id>
 *   npm run clients:revoke -- <client_id>
 *
 * create and rotate-secret print the secret this once; it is stored only as a hash.
 */
import { parseArgs } from "node:util";
import { createAuthServer } from "../app.js";
import { contextOf } from "../auth.js";
import { ClientError, createClient, listClients, revokeClient, rotateSecret } from "../clients/store.js";
import { loadConfig } from "../config.js";

const USAGE = `usage:
  npm run clients:create -- --name <name> --scope "<space-separated scopes>"
  npm run clients:list
  npm run clients:rotate-secret -- <client_id>
  npm run clients:revoke -- <client_id>
`;

const [command, ...rest] = process.argv.slice(2);
let args: ReturnType<
  typeof parseArgs<{ options: { name: { type: "string" }; scope: { type: "string" } }; allowPositionals: true }>
>;
try {
  args = parseArgs({
    args: rest,
    options: { name: { type: "string" }, scope: { type: "string" } },
    allowPositionals: true,
  });
} catch (error) {
  process.stderr.write(`clients: ${(error as Error).message}\n${USAGE}`);
  process.exit(64);
}
const known = ["create", "list", "rotate-secret", "revoke"];
const [target] = args.positionals;
const misuse =
  !command ||
  !known.includes(command) ||
  (command === "create" && (args.values.name === undefined || args.values.scope === undefined)) ||
  ((command === "rotate-secret" || command === "revoke") && !target);
if (misuse) {
  process.stderr.write(USAGE);
  process.exit(64);
}

const server = await createAuthServer(loadConfig(process.env), {
  listenForKeyChanges: false,
  logSink: (line) => process.stderr.write(`${line}\n`),
});
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
try {
  const { adapter } = await contextOf(server.auth);
  const actor = { log: server.log, by: "cli" };
  if (command === "create") {
    print(await createClient(adapter, { name: args.values.name, scope: args.values.scope }, actor));
  } else if (command === "list") {
    for (const client of await listClients(adapter)) print(client);
  } else if (command === "rotate-secret") {
    print(await rotateSecret(adapter, target, actor));
  } else {
    print(await revokeClient(adapter, target, actor));
  }
} catch (error) {
  if (!(error instanceof ClientError)) throw error;
  process.stderr.write(`clients:${command}: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await server.close();
}

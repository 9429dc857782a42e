/**
 * `npm run users:set-role -- <email> <role>`: give an account a role ("admin", or a comma list).
 * The change shows in the user's next token (at most `JWT_TTL_SECONDS` away).
 */
import { createAuthServer } from "../app.js";
import { loadConfig } from "../config.js";
import { ROLES } from "../roles.js";
import { setUserRole } from "../users.js";

const [email, role] = process.argv.slice(2);
if (!email || !role) {
  process.stderr.write(`usage: npm run users:set-role -- <email> <role>   (roles: ${ROLES.join(", ")})\n`);
  process.exit(64);
}
const server = await createAuthServer(loadConfig(process.env), { listenForKeyChanges: false });
try {
  const result = await setUserRole(server.auth, server.log, email, role);
  process.stdout.write(
    `${email}: role ${result.previous.join(",") || "(none)"} → ${result.roles.join(",")}; the user's next token carries it\n`,
  );
} catch (error) {
  process.stderr.write(`users:set-role: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await server.close();
}

/**
 * `npm run keys:revoke -- <kid>`: remove a (compromised) signing key from the JWKS now. Tokens
 * it signed stop verifying as soon as each verifier refreshes its key set; if it was the live
 * key a successor is minted. Running servers sign with the successor from their next signature
 * on (announced, key-events.ts): no token is signed with the revoked key after this returns.
 */
import { createAuthServer } from "../app.js";
import { loadConfig } from "../config.js";

const [kid] = process.argv.slice(2);
if (!kid) {
  process.stderr.write("usage: npm run keys:revoke -- <kid>   (the kids are in GET /api/auth/jwks)\n");
  process.exit(64);
}
const server = await createAuthServer(loadConfig(process.env), { listenForKeyChanges: false });
try {
  const { minted } = await server.revokeKey(kid);
  process.stdout.write(`revoked ${kid}${minted ? `; new signing key ${minted}` : ""}\n`);
} catch (error) {
  process.stderr.write(`keys:revoke: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await server.close();
}

/**
 * `npm run keys:rotate`: introduce a new signing key now. The previous public key stays in the
 * JWKS for `JWT_KEY_GRACE_SECONDS`, so tokens already issued keep verifying until they expire.
 * Running servers sign with the new key from their next signature on (announced, key-events.ts).
 */
import { createAuthServer } from "../app.js";
import { loadConfig } from "../config.js";

const server = await createAuthServer(loadConfig(process.env), { listenForKeyChanges: false });
await server.rotateKey();
await server.close();

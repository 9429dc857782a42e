/**
 * `npm run keys:rotate`: introduce a new signing key now. The previous public key stays in the
 * JWKS for `JWT_KEY_GRACE_SECONDS`, so tokens already issued keep verifying until they expire.
 * Running servers sign with the new key within `JWT_KEY_CACHE_SECONDS` (default 5).
 */
import { createAuthServer } from "../app.js";
import { loadConfig } from "../config.js";

const server = await createAuthServer(loadConfig(process.env));
await server.rotateKey();
await server.close();

/**
 * `npm run keys:rotate`: introduce a new signing key now. The previous public key stays in the
 * JWKS for `JWT_KEY_GRACE_SECONDS`, so tokens already issued keep verifying until they expire.
 */
import { createAuthServer } from "../app.js";
import { loadConfig } from "../config.js";
import { rotateSigningKey } from "../keys.js";

const server = await createAuthServer(loadConfig(process.env));
const { previous, kid } = await rotateSigningKey(server.auth, server.config);
server.log.info("signing key rotated", { event: "key.rotated", kid, previous: previous.join(",") });
await server.close();

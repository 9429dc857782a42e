/**
 * `GET /api/auth/token` for the common case, without Better Auth's per-request cost (1.7 rebuilds
 * its router and runs HMACs and the signature through WebCrypto's thread pool on every call):
 * check the session credential exactly as the `bearer` plugin and the session cookie do, read the
 * session once, sign with the cached key. Anything else, such as no or a bad credential, an
 * expired session, or one due for its sliding refresh, goes to Better Auth's own endpoint, which
 * answers (401) or refreshes as it always does.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { type Auth, contextOf } from "./auth.js";
import type { AuthServerConfig } from "./config.js";
import { tokenPayload } from "./jwt-options.js";
import type { Logger } from "./logger.js";
import { sessionIds } from "./revocation/session-id.js";
import type { SigningKeyCache } from "./signing.js";

const BEARER = /^bearer /i;

function decode(value: string): string {
  try {
    return value.includes("%") ? decodeURIComponent(value) : value;
  } catch {
    return value;
  }
}

/**
 * The one spelling of a signature Better Auth accepts (better-call's signed cookie, which the
 * bearer plugin also ends in): standard base64 of the 32-byte HMAC, padded, nothing around it.
 * Node's decoder alone would also take base64url, no padding, spaces and trailing junk.
 */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

/** `token.signature` (HMAC-SHA256 of the token under the secret) → token. */
function verifiedToken(signed: string, secret: string): string | undefined {
  const dot = signed.lastIndexOf(".");
  if (dot < 1) return undefined;
  const token = signed.slice(0, dot);
  const signature = signed.slice(dot + 1);
  if (!SIGNATURE.test(signature)) return undefined;
  const given = Buffer.from(signature, "base64");
  const expected = createHmac("sha256", secret).update(token).digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : undefined;
}

export interface TokenRouteDeps {
  auth: Auth;
  config: AuthServerConfig;
  signer: SigningKeyCache;
  log: Logger;
  clientIp: (c: Context) => string | undefined;
  /** Better Auth's own handling of the request, for every case this route does not answer. */
  fallback: (c: Context) => Promise<Response>;
}

export function tokenRoute({ auth, config, signer, log, clientIp, fallback }: TokenRouteDeps) {
  const ids = sessionIds(config);
  return async (c: Context): Promise<Response> => {
    const ctx = await contextOf(auth);
    const token = sessionToken(c, ctx.secret, ctx.authCookies.sessionToken.name);
    if (!token) return fallback(c);
    const found = await ctx.internalAdapter.findSession(token);
    if (!found) return fallback(c);
    const now = Date.now();
    const expiresAt = new Date(found.session.expiresAt).getTime();
    const { expiresIn, updateAge } = ctx.sessionConfig;
    const refreshDue = expiresAt - expiresIn * 1000 + updateAge * 1000 <= now;
    if (expiresAt <= now || refreshDue) return fallback(c);
    const iat = Math.floor(now / 1000);
    const jwt = await signer.signWith(ctx, {
      iat,
      ...tokenPayload(found.user, found.session, ids),
      sub: found.user.id,
      exp: iat + config.jwt.ttlSeconds,
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
    });
    log.info("audit", { event: "token.issued", user_id: found.user.id, ip: clientIp(c) });
    return c.json({ token: jwt });
  };
}

/** The session token of the request's credential, as `bearer` or the session cookie carries it. */
function sessionToken(c: Context, secret: string, cookieName: string): string | undefined {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    if (!BEARER.test(authorization)) return undefined;
    const value = decode(authorization.slice(7).trim());
    if (!value) return undefined;
    // Signed only (`bearer({ requireSignature: true })`): a bare token is Better Auth's to refuse.
    return value.includes(".") ? verifiedToken(value, secret) : undefined;
  }
  const cookies = c.req.header("cookie");
  if (!cookies) return undefined;
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === cookieName)
      return verifiedToken(decode(part.slice(eq + 1).trim()), secret);
  }
  return undefined;
}

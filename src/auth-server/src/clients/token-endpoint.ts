/**
 * `POST /api/auth/oauth2/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) with JWT
 * access tokens (RFC 9068), signed by the same cached Ed25519 key as users' tokens and so checked
 * against the same JWKS. Limited per address (every request, and failed client authentications
 * at the sign-in strictness) and per client (tokens issued), through Redis when it is set.
 */
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { type Auth, contextOf } from "../auth.js";
import type { AuthServerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { consume, type RateLimits, retryAfterOf } from "../rate-limit.js";
import type { SigningKeyCache } from "../signing.js";
import { NO_STORE, OAuthError } from "./oauth-error.js";
import { parseScope } from "./scopes.js";
import { authenticateClient } from "./store.js";
import { readTokenRequest, type TokenRequest } from "./token-request.js";

export const TOKEN_PATH = "/api/auth/oauth2/token";

/** RFC 9068 §2.1: the `typ` of a JWT access token. */
export const ACCESS_TOKEN_TYPE = "at+jwt";

export interface TokenEndpointDeps {
  auth: Auth;
  config: AuthServerConfig;
  signer: SigningKeyCache;
  log: Logger;
  limits: RateLimits;
  clientIp: (c: Context) => string | undefined;
}

const TOO_MANY = "Too many requests. Please try again later.";

/** The scopes to grant: all the client's when none are asked for, else a subset of them. */
function grantedScope(requested: string | undefined, granted: readonly string[]): string {
  if (requested === undefined) return granted.join(" ");
  const scopes = parseScope(requested);
  if (!scopes) throw new OAuthError("invalid_scope", "scope must be space-separated scope names");
  const refused = scopes.filter((scope) => !granted.includes(scope));
  if (refused.length > 0) throw new OAuthError("invalid_scope", `the client was not granted ${refused.join(" ")}`);
  return scopes.join(" ");
}

/** `aud`: the user tokens' audience, or one of them the request names (RFC 8707 `resource`). */
function audienceFor(resource: string | undefined, audience: string | readonly string[]): string | readonly string[] {
  if (resource === undefined) return audience;
  const registered = typeof audience === "string" ? [audience] : audience;
  if (!registered.includes(resource))
    throw new OAuthError("invalid_target", "the resource is not one this server issues tokens for");
  return resource;
}

export function tokenEndpoint({ auth, config, signer, log, limits, clientIp }: TokenEndpointDeps) {
  /** Refuses an address that failed client authentication too often, before it tries again. */
  async function checkFailures(ip: string): Promise<void> {
    const state = await limits.credentials.get(ip);
    if (state && state.consumedPoints >= limits.credentials.points) {
      throw new OAuthError("too_many_requests", TOO_MANY, retryAfterOf(state));
    }
  }

  async function issue(c: Context, ip: string, request: TokenRequest): Promise<Response> {
    const ctx = await contextOf(auth);
    await checkFailures(ip);
    const client = await authenticateClient(ctx.adapter, request.clientId, request.clientSecret);
    if (!client) {
      await consume(limits.credentials, ip);
      throw new OAuthError("invalid_client", "client authentication failed");
    }
    const wait = await consume(limits.clientTokens, client.clientId);
    if (wait !== undefined) throw new OAuthError("too_many_requests", TOO_MANY, wait);
    const scope = grantedScope(request.scope, client.scope.split(" "));
    const aud = audienceFor(request.resource, config.jwt.audience);
    const iat = Math.floor(Date.now() / 1000);
    const expiresIn = config.clients.tokenTtlSeconds;
    // RFC 9068 §2.2; no user claims: a client is not a person.
    const accessToken = await signer.signWith(
      ctx,
      {
        iss: config.jwt.issuer,
        sub: client.clientId,
        aud: aud as string | string[],
        client_id: client.clientId,
        scope,
        iat,
        exp: iat + expiresIn,
        jti: randomBytes(16).toString("base64url"),
      },
      { typ: ACCESS_TOKEN_TYPE },
    );
    log.info("audit", {
      event: "client.token_issued",
      client_id: client.clientId,
      scope,
      auth_method: request.authMethod,
      ip,
    });
    return c.json({ access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, scope }, 200, NO_STORE);
  }

  return async (c: Context): Promise<Response> => {
    const ip = clientIp(c) ?? "unknown";
    let clientId: string | undefined;
    try {
      const wait = await consume(limits.general, ip);
      if (wait !== undefined) throw new OAuthError("too_many_requests", TOO_MANY, wait);
      const request = readTokenRequest(c.req.header("content-type"), c.req.header("authorization"), await c.req.text());
      clientId = request.clientId;
      return await issue(c, ip, request);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      // The id as presented, when it could be one (never the secret).
      const presented = clientId && /^[\w-]{1,64}$/.test(clientId) ? clientId : undefined;
      log.warn("audit", { event: "client.token_refused", error: error.code, client_id: presented, ip });
      return error.toResponse();
    }
  };
}

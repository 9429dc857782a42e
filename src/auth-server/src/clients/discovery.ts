/**
 * RFC 8414 authorization server metadata at `/.well-known/oauth-authorization-server`: what a
 * stock OAuth library needs to find the token endpoint and the keys on its own.
 */
import type { Context } from "hono";
import type { AuthServerConfig } from "../config.js";
import { SUPPORTED_SCOPES } from "./scopes.js";
import { TOKEN_PATH } from "./token-endpoint.js";

export const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";

export function authorizationServerMetadata(config: AuthServerConfig) {
  return {
    issuer: config.jwt.issuer,
    token_endpoint: `${config.baseURL}${TOKEN_PATH}`,
    jwks_uri: `${config.baseURL}/api/auth/jwks`,
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    scopes_supported: [...SUPPORTED_SCOPES],
    // No authorization endpoint: no response type is supported (the field is REQUIRED).
    response_types_supported: [],
  };
}

export function discoveryHandler(config: AuthServerConfig) {
  const body = JSON.stringify(authorizationServerMetadata(config));
  return (c: Context) =>
    c.body(body, 200, { "content-type": "application/json", "cache-control": "public, max-age=300" });
}

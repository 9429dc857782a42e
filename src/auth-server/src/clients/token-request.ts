/**
 * Reads a token request (RFC 6749 §4.4.2) into what the endpoint acts on, or throws the
 * `OAuthError` §5.2 names. Client authentication is HTTP Basic (§2.3.1: id and secret each
 * form-encoded, then `id:secret` in base64) or `client_id` + `client_secret` form fields, never
 * both (§2.3: one method per request).
 */
import { OAuthError } from "./oauth-error.js";

export interface TokenRequest {
  grantType: "client_credentials";
  clientId: string;
  clientSecret: string;
  /** The `scope` parameter as sent, `undefined` when absent. */
  scope: string | undefined;
  /** RFC 8707 `resource`, `undefined` when absent. */
  resource: string | undefined;
  authMethod: "client_secret_basic" | "client_secret_post";
}

const FORM = /^application\/x-www-form-urlencoded(\s*;.*)?$/i;
/** Longer than any id or secret this server issues, by far; a longer one is no client's. */
const MAX_CREDENTIAL = 512;

/** `application/x-www-form-urlencoded` decoding of one Basic credential part (`+` is a space). */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    throw new OAuthError("invalid_client", "the Basic credentials are not form-encoded");
  }
}

function basicCredentials(header: string): { id: string; secret: string } {
  const match = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (!match) throw new OAuthError("invalid_client", "client authentication must use HTTP Basic or form fields");
  const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) throw new OAuthError("invalid_client", "the Basic credentials carry no client id");
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** The form's parameters, each once (§3.2: a parameter MUST NOT be included more than once). */
function formParameters(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (params.has(name)) throw new OAuthError("invalid_request", `the parameter ${name} is repeated`);
    params.set(name, value);
  }
  return params;
}

export function readTokenRequest(contentType: string | undefined, authorization: string | undefined, body: string) {
  if (!contentType || !FORM.test(contentType)) {
    throw new OAuthError("invalid_request", "the request body must be application/x-www-form-urlencoded");
  }
  const params = formParameters(body);
  const grantType = params.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "grant_type is required");
  if (grantType !== "client_credentials") {
    throw new OAuthError("unsupported_grant_type", "only the client_credentials grant is supported");
  }
  const formId = params.get("client_id");
  const formSecret = params.get("client_secret");
  let credentials: { id: string; secret: string; method: TokenRequest["authMethod"] };
  if (authorization !== undefined) {
    if (formSecret !== undefined) {
      throw new OAuthError("invalid_request", "use one client authentication method: HTTP Basic or form fields");
    }
    const basic = basicCredentials(authorization);
    if (formId !== undefined && formId !== basic.id) {
      throw new OAuthError("invalid_request", "client_id differs from the Basic credentials");
    }
    credentials = { ...basic, method: "client_secret_basic" };
  } else if (formId !== undefined && formSecret !== undefined) {
    credentials = { id: formId, secret: formSecret, method: "client_secret_post" };
  } else {
    throw new OAuthError("invalid_client", "client authentication is required");
  }
  if (!credentials.id || credentials.id.length > MAX_CREDENTIAL || credentials.secret.length > MAX_CREDENTIAL) {
    throw new OAuthError("invalid_client", "client authentication failed");
  }
  return {
    grantType,
    clientId: credentials.id,
    clientSecret: credentials.secret,
    scope: params.get("scope"),
    resource: params.get("resource"),
    authMethod: credentials.method,
  } satisfies TokenRequest;
}

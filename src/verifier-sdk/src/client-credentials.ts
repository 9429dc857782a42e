/**
 * Calling other services as a machine client: a client credentials token (RFC 6749 §4.4) from
 * the auth server, cached until shortly before it expires, fetched once for any number of
 * concurrent callers, and sent as a bearer token by a `fetch` wrapper. Python's
 * `authbridge.client_credentials` is the twin (an `httpx.Auth`).
 */

/**
 * How a service calls out as a machine client.
 *
 * @example
 * const options: ClientCredentialsOptions = { serverUrl: "https://auth.example.com", clientId, clientSecret };
 */
export interface ClientCredentialsOptions {
  /** From `npm run clients:create`. */
  clientId: string;
  clientSecret: string;
  /** The auth server: the token endpoint comes from its RFC 8414 metadata. This or `tokenUrl`. */
  serverUrl?: string;
  /** The token endpoint itself (no discovery request). */
  tokenUrl?: string;
  /** Space-separated scopes to ask for; all the client's when unset. */
  scope?: string;
  /** RFC 8707: the audience to ask for, one the auth server issues tokens for. */
  resource?: string;
  /** A cached token is replaced this many seconds before it expires. @default 60 */
  refreshSkewSeconds?: number;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch (tests). @default Date.now */
  now?: () => number;
}

/**
 * The token endpoint refused (its RFC 6749 `error`, such as `invalid_client`), or could not be
 * reached or read (`unreachable`, `invalid_response`). Never carries the secret.
 *
 * @example
 * try { await client.token() } catch (err) {
 *   if (err instanceof ClientCredentialsError && err.error === "invalid_client") alertOperators();
 * }
 */
export class ClientCredentialsError extends Error {
  override readonly name = "ClientCredentialsError";
  constructor(
    /** The OAuth `error`, or `unreachable` / `invalid_response`. */
    readonly error: string,
    message: string,
    /** The token endpoint's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const DISCOVERY_PATH = "/.well-known/oauth-authorization-server";

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** Form encoding of one Basic credential part (RFC 6749 §2.3.1). */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

/** The called API's `WWW-Authenticate` says the bearer token itself is no good (expired, revoked key). */
const staleToken = (response: Response) =>
  response.status === 401 && /error="invalid_token"/.test(response.headers.get("www-authenticate") ?? "");

/**
 * A machine client's token source and `fetch`. Python: `authbridge.ClientCredentials`.
 *
 * @example
 * const reports = clientCredentials({ serverUrl, clientId, clientSecret, scope: "tasks:read:any" });
 * const res = await reports.fetch("https://tasks.example.com/api/admin/tasks");
 */
export class ClientCredentials {
  private cached: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private endpoint: string | undefined;
  private readonly http: typeof fetch;
  private readonly now: () => number;
  private readonly skewMs: number;

  constructor(private readonly options: ClientCredentialsOptions) {
    if (!options.clientId || !options.clientSecret) {
      throw new TypeError("authbridge: clientCredentials needs clientId and clientSecret");
    }
    if (!options.serverUrl === !options.tokenUrl) {
      throw new TypeError("authbridge: clientCredentials needs serverUrl or tokenUrl (one of them)");
    }
    this.endpoint = options.tokenUrl;
    this.http = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = options.now ?? Date.now;
    this.skewMs = (options.refreshSkewSeconds ?? 60) * 1000;
  }

  /** A valid access token: the cached one, or a new one (one request for all concurrent callers). */
  token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget the cached token: the next call fetches a new one. */
  invalidate(): void {
    this.cached = undefined;
  }

  /**
   * `fetch` with the client's bearer token. A 401 `invalid_token` (the token expired early, or
   * its key was revoked) is retried once with a new token.
   */
  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const send = async (token: string, req: Request) => {
      const headers = new Headers(req.headers);
      headers.set("authorization", `Bearer ${token}`);
      return this.http(new Request(req, { headers }));
    };
    const first = await this.token();
    const response = await send(first, request.clone());
    if (!staleToken(response)) return response;
    if (this.cached?.token === first) this.invalidate();
    await response.body?.cancel();
    return send(await this.token(), request);
  };

  private async tokenEndpoint(): Promise<string> {
    if (this.endpoint) return this.endpoint;
    const issuer = trimSlash(this.options.serverUrl as string);
    const metadata = (await this.request(`${issuer}${DISCOVERY_PATH}`, { headers: { accept: "application/json" } }))
      .body as { issuer?: unknown; token_endpoint?: unknown };
    // RFC 8414 §3.3: the metadata must name the issuer it was fetched for.
    if (typeof metadata.issuer !== "string" || trimSlash(metadata.issuer) !== issuer) {
      throw new ClientCredentialsError("invalid_response", `the metadata at ${issuer} names another issuer`);
    }
    if (typeof metadata.token_endpoint !== "string") {
      throw new ClientCredentialsError("invalid_response", `the metadata at ${issuer} names no token_endpoint`);
    }
    this.endpoint = metadata.token_endpoint;
    return this.endpoint;
  }

  private async fetchToken(): Promise<string> {
    const endpoint = await this.tokenEndpoint();
    const { clientId, clientSecret, scope, resource } = this.options;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (scope !== undefined) form.set("scope", scope);
    if (resource !== undefined) form.set("resource", resource);
    const basic = btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`);
    const requestedAt = this.now();
    const { body } = await this.request(endpoint, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
    });
    const { access_token: token, expires_in: expiresIn } = body as { access_token?: unknown; expires_in?: unknown };
    if (typeof token !== "string" || token === "") {
      throw new ClientCredentialsError("invalid_response", "the token endpoint answered no access_token");
    }
    // Measured from when the request was sent, so a slow answer cannot make a token outlive its exp.
    const lifetimeMs = typeof expiresIn === "number" && expiresIn > 0 ? expiresIn * 1000 : 0;
    this.cached = { token, refreshAt: requestedAt + Math.max(0, lifetimeMs - this.skewMs) };
    return token;
  }

  private async request(url: string, init: RequestInit): Promise<{ body: Record<string, unknown> }> {
    let response: Response;
    try {
      response = await this.http(url, init);
    } catch (error) {
      throw new ClientCredentialsError(
        "unreachable",
        `${init.method ?? "GET"} ${url} failed: ${(error as Error).message}`,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ClientCredentialsError(
        "invalid_response",
        `${url} answered ${response.status} without JSON`,
        response.status,
      );
    }
    if (!body || typeof body !== "object") {
      throw new ClientCredentialsError(
        "invalid_response",
        `${url} answered ${response.status} without a JSON object`,
        response.status,
      );
    }
    if (!response.ok) {
      const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
      const code = typeof error === "string" ? error : "invalid_response";
      const detail = typeof description === "string" ? `: ${description}` : "";
      throw new ClientCredentialsError(code, `${url} answered ${response.status} ${code}${detail}`, response.status);
    }
    return { body: body as Record<string, unknown> };
  }
}

/**
 * A machine client's token source and `fetch` wrapper; see {@link ClientCredentials}.
 *
 * @example
 * const reports = clientCredentials({ serverUrl: process.env.AUTH_SERVER_URL!, clientId, clientSecret });
 * const tasks = await (await reports.fetch(`${TASKS_URL}/api/admin/tasks`)).json();
 */
export function clientCredentials(options: ClientCredentialsOptions): ClientCredentials {
  return new ClientCredentials(options);
}

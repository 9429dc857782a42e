/**
 * The token endpoint's errors, exactly RFC 6749 §5.2: `{"error", "error_description"}`, 400
 * except `invalid_client` (401 with a `WWW-Authenticate: Basic` challenge, §5.2's "MUST" for a
 * client that tried HTTP Basic, sent to every client here so a library knows what to retry
 * with), plus RFC 8707's `invalid_target` and 429 for a client or address over its limit.
 * Never cached (§5.1).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "too_many_requests";

/** The realm of the `Basic` challenge an `invalid_client` carries. */
export const TOKEN_REALM = "authbridge";

export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

export class OAuthError extends Error {
  override readonly name = "OAuthError";
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly retryAfter?: string,
  ) {
    super(description);
  }

  get status(): 400 | 401 | 429 {
    if (this.code === "invalid_client") return 401;
    if (this.code === "too_many_requests") return 429;
    return 400;
  }

  toResponse(): Response {
    const headers: Record<string, string> = { "content-type": "application/json", ...NO_STORE };
    if (this.code === "invalid_client") headers["www-authenticate"] = `Basic realm="${TOKEN_REALM}"`;
    if (this.retryAfter !== undefined) headers["retry-after"] = this.retryAfter;
    return new Response(JSON.stringify({ error: this.code, error_description: this.description }), {
      status: this.status,
      headers,
    });
  }
}

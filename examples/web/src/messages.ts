/** The contract's error codes as sentences a person can act on. */
const MESSAGES: Record<string, string> = {
  missing_token: "Please sign in.",
  malformed_token: "Your session is damaged. Please sign in again.",
  unsupported_algorithm: "Your session is not accepted. Please sign in again.",
  unknown_key: "Your session was signed with a key this service does not know yet. Please sign in again.",
  jwks_unavailable: "The service cannot check sign-ins right now. Please try again in a moment.",
  invalid_signature: "Your session is not valid. Please sign in again.",
  token_expired: "Your session has expired. Please sign in again.",
  token_not_yet_valid: "Your device clock seems to be off. Please check it and sign in again.",
  token_revoked: "You were signed out, here or on another device. Please sign in again.",
  invalid_issuer: "Your session comes from another sign-in service.",
  invalid_audience: "Your session is for another application.",
  invalid_claims: "Your session is missing information. Please sign in again.",
  forbidden: "That task belongs to someone else.",
  insufficient_user_authentication: "This needs a sign-in with a second factor.",
  not_found: "That task no longer exists.",
};

export function readable(error: unknown): string {
  if (error && typeof error === "object") {
    const { code, message } = error as { code?: string; message?: string };
    if (code && MESSAGES[code]) return MESSAGES[code];
    if (message) return message;
  }
  return "Something went wrong. Please try again.";
}

/**
 * Sign-up, sign-in and sign-out with Better Auth's own client, and the JWT the task API wants:
 * fetched from `/api/auth/token` with the session cookie, refreshed a minute before it
 * expires, and once more when the API answers 401.
 */
import { createAuthClient } from "better-auth/client";
import { jwtClient, twoFactorClient } from "better-auth/client/plugins";
import { AUTH_URL } from "./config.js";

/** What a sign-in that needs a second factor calls (two-factor.ts shows the code form). */
let onSecondFactor: () => void = () => {};
export const whenSecondFactorIsAsked = (handler: () => void) => {
  onSecondFactor = handler;
};

export const authClient = createAuthClient({
  baseURL: AUTH_URL,
  plugins: [jwtClient(), twoFactorClient({ onTwoFactorRedirect: () => onSecondFactor() })],
  // The session cookie travels to the auth server's origin.
  fetchOptions: { credentials: "include" },
});

const REFRESH_MARGIN_SECONDS = 60;
let current: { token: string; exp: number } | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

function expiryOf(token: string): number {
  const payload = token.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  return Number((JSON.parse(json) as { exp?: number }).exp ?? 0);
}

/** The current JWT, fetching a new one when it is missing, about to expire, or `force`d. */
export async function getJwt(force = false): Promise<string | undefined> {
  const now = Date.now() / 1000;
  if (!force && current && current.exp - now > REFRESH_MARGIN_SECONDS) return current.token;
  const { data, error } = await authClient.$fetch<{ token: string }>("/token", { method: "GET" });
  if (error || !data?.token) {
    forgetJwt();
    return undefined;
  }
  current = { token: data.token, exp: expiryOf(data.token) };
  clearTimeout(timer);
  // Refresh ahead, so a request never waits on an expired token.
  timer = setTimeout(() => void getJwt(true), Math.max(1, current.exp - now - REFRESH_MARGIN_SECONDS) * 1000);
  return current.token;
}

export function forgetJwt(): void {
  current = undefined;
  clearTimeout(timer);
}

/**
 * Ending sessions every way Better Auth ends them, through the HTTP API as a frontend or an
 * admin does, and reading the revocation feed that lists them (CONTRACT §8).
 */
import { linkIn, type MailCatcher } from "./mail.js";
import { newUser, signIn } from "./users.js";

export const REVOCATIONS_PATH = "/api/auth/revocations";

export interface RevocationFeed {
  sessions: string[];
  clients: string[];
  not_before: number;
}

export interface FeedReply {
  status: number;
  feed: RevocationFeed | undefined;
  etag: string | null;
  cacheControl: string | null;
}

export async function readRevocations(url: string, ifNoneMatch?: string): Promise<FeedReply> {
  const res = await fetch(`${url}${REVOCATIONS_PATH}`, {
    headers: ifNoneMatch ? { "if-none-match": ifNoneMatch } : {},
  });
  let feed: RevocationFeed | undefined;
  if (res.status === 200) feed = (await res.json()) as RevocationFeed;
  else await res.body?.cancel();
  return { status: res.status, feed, etag: res.headers.get("etag"), cacheControl: res.headers.get("cache-control") };
}

/** The ways a session ends that the feed must list. */
export const SESSION_ENDINGS = [
  "sign-out",
  "revoke-sessions",
  "change-password",
  "reset-password",
  "ban",
  "remove-user",
] as const;
export type SessionEnding = (typeof SESSION_ENDINGS)[number];

export interface EndingTools {
  /** An admin's signed session token (ban, remove-user). */
  adminSession?: string;
  /** Where the reset mail arrives (reset-password). */
  mail?: MailCatcher;
  /** The Origin the requests carry (a trusted origin). @default the URL's origin */
  origin?: string;
}

async function postJson(url: string, route: string, body: unknown, sessionToken?: string, origin?: string) {
  const res = await fetch(`${url}/api/auth${route}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: origin ?? new URL(url).origin,
      ...(sessionToken ? { authorization: `Bearer ${sessionToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`POST ${route} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Ends `user`'s session (and, for all but sign-out, every other one) the way `how` names. */
export async function endSession(
  url: string,
  how: SessionEnding,
  user: { id: string; email: string; password: string; sessionToken: string },
  tools: EndingTools = {},
): Promise<void> {
  const post = (route: string, body: unknown, sessionToken?: string) =>
    postJson(url, route, body, sessionToken, tools.origin);
  switch (how) {
    case "sign-out":
      await post("/sign-out", {}, user.sessionToken);
      return;
    case "revoke-sessions":
      await post("/revoke-sessions", {}, user.sessionToken);
      return;
    case "change-password":
      await post(
        "/change-password",
        { currentPassword: user.password, newPassword: `${newUser("n").password}-changed` },
        user.sessionToken,
      );
      return;
    case "reset-password": {
      if (!tools.mail) throw new Error("reset-password needs a mail catcher");
      await post("/request-password-reset", { email: user.email, redirectTo: `${url}/reset` });
      const link = linkIn(await tools.mail.waitFor(user.email, "Reset your password"));
      const token = new URL(link).pathname.split("/").at(-1) as string;
      await post("/reset-password", { token, newPassword: `${newUser("n").password}-reset` });
      return;
    }
    case "ban":
    case "remove-user":
      if (!tools.adminSession) throw new Error(`${how} needs an admin session`);
      await post(how === "ban" ? "/admin/ban-user" : "/admin/remove-user", { userId: user.id }, tools.adminSession);
      return;
  }
}

/** A second session of the same account (a second device). */
export async function signInAgain(url: string, user: { email: string; password: string }): Promise<string> {
  const res = await signIn(url, user);
  const token = res.headers.get("set-auth-token");
  if (res.status !== 200 || !token) throw new Error(`sign-in answered ${res.status}`);
  return token;
}

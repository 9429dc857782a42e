/**
 * Two-factor flows as a frontend runs them against the real auth server (Better Auth's
 * twoFactor endpoints), with codes computed from the enrolment's `totpURI` by `otpauth`, as an
 * authenticator app computes them.
 */
import * as OTPAuth from "otpauth";
import { fetchJwt, newUser, signUp, type User } from "./users.js";

/** An authenticator: codes for the enrolled secret, each time step used once (the server refuses a replay). */
export class Authenticator {
  readonly totp: OTPAuth.TOTP;
  private lastStep = -1;

  constructor(totpURI: string) {
    const parsed = OTPAuth.URI.parse(totpURI);
    if (!(parsed instanceof OTPAuth.TOTP)) throw new Error("not a TOTP URI");
    this.totp = parsed;
  }

  /** The code of a step no earlier code used, within the ±1 step the server accepts (waits when it must). */
  async freshCode(): Promise<string> {
    const period = this.totp.period;
    const current = () => Math.floor(Date.now() / 1000 / period);
    let step = Math.max(current() - 1, this.lastStep + 1);
    if (step > current() + 1) {
      await new Promise((resolve) => setTimeout(resolve, (step - 1) * period * 1000 - Date.now() + 50));
      step = Math.max(current() - 1, this.lastStep + 1);
    }
    this.lastStep = step;
    return this.totp.generate({ timestamp: step * period * 1000 });
  }

  /** A code the server must refuse: off by more than the window. */
  staleCode(): string {
    return this.totp.generate({ timestamp: Date.now() - 5 * this.totp.period * 1000 });
  }
}

export interface TwoFactorReply {
  status: number;
  body: Record<string, unknown>;
  /** `set-auth-token` (a new session) when the call made one. */
  sessionToken: string | null;
  /** Cookies the answer set, `name=value` pairs. */
  cookies: string[];
  headers: Headers;
}

/** A JSON POST to `/api/auth/<path>` with a session token or cookies, as the plugin's client sends it. */
export async function postAuth(
  url: string,
  path: string,
  body: unknown,
  credential: { sessionToken?: string; cookies?: string[] } = {},
): Promise<TwoFactorReply> {
  const headers: Record<string, string> = { "content-type": "application/json", origin: new URL(url).origin };
  if (credential.sessionToken) headers.authorization = `Bearer ${credential.sessionToken}`;
  if (credential.cookies?.length) headers.cookie = credential.cookies.join("; ");
  const res = await fetch(`${url}/api/auth/${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    sessionToken: res.headers.get("set-auth-token"),
    cookies: res.headers.getSetCookie().map((cookie) => cookie.split(";")[0] as string),
    headers: res.headers,
  };
}

export interface Enrolled {
  authenticator: Authenticator;
  backupCodes: string[];
  totpURI: string;
  /** The session the confirmation left (the plugin replaces the one that enrolled). */
  sessionToken: string;
}

/** Turns TOTP on for a signed-in user: enable with the password, confirm with a first code. */
export async function enrolTotp(url: string, user: { sessionToken: string; password: string }): Promise<Enrolled> {
  const enabled = await postAuth(url, "two-factor/enable", { password: user.password }, user);
  if (enabled.status !== 200) throw new Error(`two-factor/enable: ${enabled.status} ${JSON.stringify(enabled.body)}`);
  const totpURI = enabled.body.totpURI as string;
  const authenticator = new Authenticator(totpURI);
  const confirmed = await postAuth(url, "two-factor/verify-totp", { code: await authenticator.freshCode() }, user);
  if (confirmed.status !== 200)
    throw new Error(`two-factor/verify-totp: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return {
    authenticator,
    backupCodes: enabled.body.backupCodes as string[],
    totpURI,
    sessionToken: confirmed.sessionToken ?? user.sessionToken,
  };
}

/** The first step of a sign-in with 2FA on: the `two_factor` cookie the second step sends back. */
export async function startSignIn(url: string, user: { email: string; password: string }): Promise<string[]> {
  const reply = await postAuth(url, "sign-in/email", { email: user.email, password: user.password });
  if (reply.status !== 200 || reply.body.twoFactorRedirect !== true) {
    throw new Error(`sign-in did not ask for a second factor: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply.cookies.filter((cookie) => cookie.includes("two_factor="));
}

export interface SignedInWithCode {
  sessionToken: string;
  jwt: string;
}

/** Signs in with the password and a TOTP code (or a backup code); the session's JWT carries `amr`. */
export async function signInWithSecondFactor(
  url: string,
  user: { email: string; password: string },
  factor: { authenticator: Authenticator } | { backupCode: string },
): Promise<SignedInWithCode> {
  const cookies = await startSignIn(url, user);
  const reply =
    "backupCode" in factor
      ? await postAuth(url, "two-factor/verify-backup-code", { code: factor.backupCode }, { cookies })
      : await postAuth(url, "two-factor/verify-totp", { code: await factor.authenticator.freshCode() }, { cookies });
  if (reply.status !== 200 || !reply.sessionToken) {
    throw new Error(`second factor refused: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return { sessionToken: reply.sessionToken, jwt: await fetchJwt(url, reply.sessionToken) };
}

/** The claims of a JWT, unverified: for asserting what the server wrote. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;
}

export interface MfaUser extends User {
  password: string;
  authenticator: Authenticator;
  backupCodes: string[];
}

/**
 * Signs a new user up and turns TOTP on; `sessionToken` and `jwt` are the session the
 * confirmation left, whose tokens carry `amr` with `mfa`. `beforeEnrol` runs first (a role).
 *
 * @example
 * const root = await signUpWithTotp(auth.url, "root", (email) => auth.setRole(email, "admin"));
 */
export async function signUpWithTotp(
  url: string,
  label = "user",
  beforeEnrol?: (email: string) => Promise<void>,
): Promise<MfaUser> {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(url, user);
  await beforeEnrol?.(user.email);
  const enrolled = await enrolTotp(url, { sessionToken, password: user.password });
  return {
    id: userId,
    email: user.email,
    name: user.name,
    password: user.password,
    sessionToken: enrolled.sessionToken,
    jwt: await fetchJwt(url, enrolled.sessionToken),
    authenticator: enrolled.authenticator,
    backupCodes: enrolled.backupCodes,
  };
}

/** Users as a frontend makes them: sign up, sign in and fetch a JWT through the HTTP API. */
import { randomBytes } from "node:crypto";
import http from "node:http";

let counter = 0;

export interface NewUser {
  email: string;
  password: string;
  name: string;
}

/** Credentials nobody else in this run uses: a strong password (account-rules.ts) free of the email's name part. */
export function newUser(prefix = "user"): NewUser {
  counter += 1;
  const id = `${prefix}-${process.pid}-${Date.now()}-${counter}`;
  const password = `Vault-${randomBytes(12).toString("base64url")}-key`;
  return { email: `${id}@example.test`, password, name: `Test ${prefix} ${counter}` };
}

export interface SignedIn {
  sessionToken: string;
  userId: string;
}

/** Signs `user` up; the session token is the signed one (`token.signature`) the bearer plugin takes. */
export async function signUp(url: string, user: NewUser): Promise<SignedIn> {
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: new URL(url).origin },
    body: JSON.stringify(user),
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  const sessionToken = res.headers.get("set-auth-token");
  if (!sessionToken) throw new Error("sign-up answered without a set-auth-token header");
  return { sessionToken, userId: body.user.id };
}

export function signIn(url: string, user: { email: string; password: string }): Promise<Response> {
  return fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: new URL(url).origin },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
}

export async function fetchJwt(url: string, sessionToken: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  if (res.status !== 200) throw new Error(`token fetch failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export interface User {
  id: string;
  email: string;
  name: string;
  sessionToken: string;
  jwt: string;
}

/**
 * Signs a new user up and fetches a JWT, as a frontend does.
 *
 * @example
 * const alice = await signUpUser(auth.url, "alice");
 * await fetch(`${api}/api/me`, { headers: { authorization: `Bearer ${alice.jwt}` } });
 */
export async function signUpUser(url: string, label = "user"): Promise<User> {
  const user = newUser(label);
  const { sessionToken, userId } = await signUp(url, user);
  return { id: userId, email: user.email, name: user.name, sessionToken, jwt: await fetchJwt(url, sessionToken) };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A JSON POST from a chosen local address (`fetch` cannot choose one): each loopback address
 * is its own client for the rate limits. `Origin` is the target's unless `headers` say otherwise.
 * A string body is sent as it is (with the `content-type` the headers give).
 */
export function postFrom(
  localAddress: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const target = new URL(url);
    const payload = typeof body === "string" ? body : JSON.stringify(body);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        localAddress,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          origin: target.origin,
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

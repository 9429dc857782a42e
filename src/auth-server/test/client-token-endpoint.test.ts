/**
 * POST /api/auth/oauth2/token, the client credentials grant, against the real server: the RFC
 * 9068 token it issues, every RFC 6749 §5.2 error (with the Basic challenge of invalid_client),
 * the discovery document, and the per-client and per-address limits.
 */

import {
  clientsCli,
  type IssuedClient,
  postFrom,
  type RunningAuthServer,
  requestClientToken,
  startAuthServer,
} from "@authbridge/harness";
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT } from "../../../contract-tests/src/contract.js";

const ENDPOINT = CONTRACT.tokenEndpoint;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let auth: RunningAuthServer;
let reporter: IssuedClient;
beforeAll(async () => {
  auth = await startAuthServer({ JWT_AUDIENCE: "task-api,reports-api", RATE_LIMIT_MAX: "100000" });
  reporter = await auth.createClient("reporting job", "tasks:read:any users:list");
});
afterAll(() => auth?.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${auth.url}${ENDPOINT.path}`, { method: "POST", headers: { ...FORM, ...headers }, body });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe("GET /.well-known/oauth-authorization-server (RFC 8414)", () => {
  it("names the issuer, the token endpoint, the JWKS, the grant, both auth methods and the scopes", async () => {
    const res = await fetch(`${auth.url}${ENDPOINT.discovery}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      issuer: auth.url,
      token_endpoint: `${auth.url}${ENDPOINT.path}`,
      jwks_uri: `${auth.url}/api/auth/jwks`,
      grant_types_supported: ENDPOINT.grantTypes,
      token_endpoint_auth_methods_supported: ENDPOINT.authMethods,
      scopes_supported: ["tasks:read:any", "tasks:write:any", "users:list"],
      response_types_supported: [],
    });
  });
});

describe("a token", () => {
  it("is an RFC 9068 access token signed by the published key: at+jwt, sub = client_id, no user claims", async () => {
    const reply = await requestClientToken(auth.url, reporter);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(reply.body).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: ENDPOINT.defaultTtlSeconds });
    expect(reply.body.scope).toBe("tasks:read:any users:list");
    const token = reply.body.access_token as string;
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: "EdDSA", typ: CONTRACT.clientTokens.typ });
    const jwks = (await (await fetch(`${auth.url}/api/auth/jwks`)).json()) as { keys: { kid: string }[] };
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const { payload } = await jwtVerify(token, await importJWK(jwk as never, "EdDSA"), {
      issuer: auth.url,
      audience: "task-api",
      typ: "at+jwt",
    });
    expect(Object.keys(payload).sort()).toEqual([...CONTRACT.clientTokens.claims].sort());
    expect(payload).toMatchObject({ sub: reporter.client_id, client_id: reporter.client_id });
    expect((payload.exp as number) - (payload.iat as number)).toBe(ENDPOINT.defaultTtlSeconds);
    for (const claim of CONTRACT.clientTokens.personClaims) expect(payload).not.toHaveProperty(claim);
  });

  it("carries the audience of user tokens, or the registered resource a request names (RFC 8707)", async () => {
    const plain = decodeJwt((await requestClientToken(auth.url, reporter)).body.access_token as string);
    expect(plain.aud).toEqual(["task-api", "reports-api"]);
    const named = await requestClientToken(auth.url, reporter, { resource: "reports-api" });
    expect(decodeJwt(named.body.access_token as string).aud).toBe("reports-api");
    const foreign = await requestClientToken(auth.url, reporter, { resource: "https://billing.example" });
    expect([foreign.status, foreign.body.error]).toEqual([400, "invalid_target"]);
  });

  it("has a fresh jti each time", async () => {
    const jtis = new Set<unknown>();
    for (let i = 0; i < 3; i += 1) {
      jtis.add(decodeJwt((await requestClientToken(auth.url, reporter)).body.access_token as string).jti);
    }
    expect(jtis.size).toBe(3);
  });

  it("is given for HTTP Basic and for form fields alike", async () => {
    const viaPost = await requestClientToken(auth.url, reporter, { method: "post" });
    expect(viaPost.status).toBe(200);
    expect(decodeJwt(viaPost.body.access_token as string).client_id).toBe(reporter.client_id);
  });
});

describe("scope", () => {
  it("narrows to what is asked for, each once", async () => {
    const reply = await requestClientToken(auth.url, reporter, { scope: "users:list users:list" });
    expect(reply.body.scope).toBe("users:list");
    expect(decodeJwt(reply.body.access_token as string).scope).toBe("users:list");
  });

  it.each([
    ["a scope the client was not granted", "tasks:write:any"],
    ["one granted and one not", "users:list tasks:write:any"],
    ["an unknown scope", "everything"],
    ["an empty scope", ""],
    ["a double space", "users:list  tasks:read:any"],
    ["a quote, which RFC 6749 does not allow", 'users:"list'],
  ])("is invalid_scope for %s", async (_name, scope) => {
    const reply = await requestClientToken(auth.url, reporter, { scope });
    expect([reply.status, reply.body.error]).toEqual([400, "invalid_scope"]);
    expect(reply.headers.get("cache-control")).toBe("no-store");
  });
});

describe("errors (RFC 6749 §5.2)", () => {
  const valid = () => basic(reporter.client_id, reporter.client_secret);

  it.each([
    [
      "a wrong secret",
      () => post("grant_type=client_credentials", { authorization: basic(reporter.client_id, "abcs_wrong") }),
    ],
    [
      "an unknown client",
      () => post("grant_type=client_credentials", { authorization: basic("client_nobody", reporter.client_secret) }),
    ],
    ["no client authentication", () => post("grant_type=client_credentials")],
    ["a client_id without a secret", () => post(`grant_type=client_credentials&client_id=${reporter.client_id}`)],
    ["another scheme", () => post("grant_type=client_credentials", { authorization: "Bearer abc" })],
    [
      "Basic without a colon",
      () => post("grant_type=client_credentials", { authorization: `Basic ${Buffer.from("x").toString("base64")}` }),
    ],
    [
      "an oversized secret",
      () => post("grant_type=client_credentials", { authorization: basic(reporter.client_id, "x".repeat(600)) }),
    ],
  ])("%s is 401 invalid_client with a Basic challenge", async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(ENDPOINT.errors.invalid_client);
    expect(res.headers.get("www-authenticate")).toBe(ENDPOINT.challenge);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
    expect(body.error).toBe("invalid_client");
  });

  it.each([
    ["no grant_type", "scope=users:list", FORM],
    ["a JSON body", JSON.stringify({ grant_type: "client_credentials" }), { "content-type": "application/json" }],
    ["a repeated parameter", "grant_type=client_credentials&scope=users:list&scope=users:list", FORM],
    ["both Basic and client_secret", `grant_type=client_credentials&client_secret=${reporter?.client_secret}`, FORM],
  ])("%s is 400 invalid_request", async (_name, body, headers) => {
    const res = await fetch(`${auth.url}${ENDPOINT.path}`, {
      method: "POST",
      headers: { ...headers, authorization: valid() },
      body,
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("invalid_request");
  });

  it("a client_id in the form that differs from the Basic one is invalid_request", async () => {
    const res = await post("grant_type=client_credentials&client_id=client_other", { authorization: valid() });
    expect([res.status, await errorOf(res)]).toEqual([400, "invalid_request"]);
  });

  it.each(["password", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"])(
    "grant_type=%s is 400 unsupported_grant_type",
    async (grant) => {
      const res = await post(`grant_type=${encodeURIComponent(grant)}`, { authorization: valid() });
      expect([res.status, await errorOf(res)]).toEqual([400, "unsupported_grant_type"]);
    },
  );

  it("a body over 64 KiB is refused unread (413), never a 500", async () => {
    const res = await post(`grant_type=client_credentials&pad=${"x".repeat(70_000)}`, { authorization: valid() });
    expect(res.status).toBe(413);
  });
});

describe("rate limits", () => {
  let limited: RunningAuthServer;
  let first: IssuedClient;
  let second: IssuedClient;
  beforeAll(async () => {
    limited = await startAuthServer({
      CLIENT_TOKEN_RATE_LIMIT_MAX: "3",
      CLIENT_TOKEN_RATE_LIMIT_WINDOW_SECONDS: "60",
      RATE_LIMIT_SIGN_IN_MAX: "4",
      RATE_LIMIT_MAX: "100000",
    });
    first = await limited.createClient("busy", "users:list");
    second = await limited.createClient("calm", "users:list");
  });
  afterAll(() => limited?.close());

  it("a client over CLIENT_TOKEN_RATE_LIMIT_MAX gets 429 with Retry-After; another client does not", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await requestClientToken(limited.url, first)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await requestClientToken(limited.url, first);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.body.error).toBe("too_many_requests");
    expect((await requestClientToken(limited.url, second)).status).toBe(200);
  });

  it("an address that keeps failing client authentication is paused, the right secret included", async () => {
    const from = "127.0.0.9";
    const wrong = `Basic ${Buffer.from(`${second.client_id}:abcs_guess`).toString("base64")}`;
    const right = `Basic ${Buffer.from(`${second.client_id}:${second.client_secret}`).toString("base64")}`;
    const send = (authorization: string, address = from) =>
      postFrom(address, `${limited.url}${ENDPOINT.path}`, "grant_type=client_credentials", { ...FORM, authorization });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await send(wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    const paused = await send(right);
    expect(paused.status).toBe(429);
    expect(Number(paused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Another address is another bucket.
    expect((await send(right, "127.0.0.10")).status).toBe(200);
  });
});

describe("the CLI's client", () => {
  it("gets a token at once, and a rotated-out or revoked secret fails at once", async () => {
    const created = await clientsCli(auth.cliEnv, "create", "--name", "nightly export", "--scope", "tasks:read:any");
    expect(created.code).toBe(0);
    const client = created.lines[0] as IssuedClient;
    expect((await requestClientToken(auth.url, client)).status).toBe(200);
    const rotated = await clientsCli(auth.cliEnv, "rotate-secret", client.client_id);
    const fresh = rotated.lines[0] as IssuedClient;
    expect(fresh.client_secret).not.toBe(client.client_secret);
    const old = await requestClientToken(auth.url, client);
    expect([old.status, old.body.error]).toEqual([401, "invalid_client"]);
    expect((await requestClientToken(auth.url, fresh)).status).toBe(200);
    expect((await clientsCli(auth.cliEnv, "revoke", client.client_id)).code).toBe(0);
    const revoked = await requestClientToken(auth.url, fresh);
    expect([revoked.status, revoked.body.error]).toEqual([401, "invalid_client"]);
  });
});

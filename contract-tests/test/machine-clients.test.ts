/**
 * Machine clients end to end, across languages: a client made with `npm run clients:create` gets
 * a token from the discovered endpoint with a stock OAuth library (oauth4webapi, which knows
 * nothing of authbridge), and with the SDK's own `clientCredentials`; both task APIs accept it on
 * a route whose permission it holds and refuse it identically elsewhere.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { clientsCli, type IssuedClient } from "@authbridge/harness";
import { ClientCredentialsError, clientCredentials } from "@authbridge/verifier";
import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";
import { observe, parity } from "../src/matrix.js";
import { useStack } from "../src/stack.js";

const { stack } = useStack("machine-owner");
let reporter: IssuedClient;
beforeAll(async () => {
  const created = await clientsCli(
    stack.auth.cliEnv,
    "create",
    "--name",
    "reports",
    "--scope",
    "tasks:read:any users:list",
  );
  expect(created.code, created.stderr).toBe(0);
  reporter = created.lines[0] as IssuedClient;
}, 60_000);

const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** What both task APIs answer `jwt` on `path`, asserted to be the same answer. */
async function onBoth(path: string, jwt: string) {
  const answers = await Promise.all(
    stack.backends.list.map((backend) => observe(backend.url, "GET", path, { authorization: `Bearer ${jwt}` })),
  );
  expect(parity(answers[0] as never, answers[1] as never)).toEqual([]);
  return answers[0] as Awaited<ReturnType<typeof observe>>;
}

describe("oauth4webapi, a stock OAuth client", () => {
  async function stockToken(scope: string, auth: oauth.ClientAuth): Promise<string> {
    const issuer = new URL(stack.auth.url);
    const server = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
    expect(server.token_endpoint).toBe(`${stack.auth.url}/api/auth/oauth2/token`);
    const client: oauth.Client = { client_id: reporter.client_id };
    const response = await oauth.clientCredentialsGrantRequest(
      server,
      client,
      auth,
      new URLSearchParams({ scope }),
      insecure,
    );
    const result = await oauth.processClientCredentialsResponse(server, client, response);
    expect(result.token_type).toBe("bearer");
    return result.access_token;
  }

  it.each([
    ["client_secret_basic", () => oauth.ClientSecretBasic(reporter.client_secret)],
    ["client_secret_post", () => oauth.ClientSecretPost(reporter.client_secret)],
  ])("gets a token (%s) both task APIs accept where its scope allows, and refuse alike elsewhere", async (_m, auth) => {
    const jwt = await stockToken("tasks:read:any", auth());
    expect((await onBoth("/api/admin/tasks", jwt)).status).toBe(200);
    const users = await onBoth("/api/admin/users", jwt);
    expect([users.status, users.code]).toEqual([403, "insufficient_permission"]);
    const own = await onBoth("/api/tasks", jwt);
    expect([own.status, own.code]).toEqual([403, "user_required"]);
    const me = await onBoth("/api/me", jwt);
    expect([me.status, me.code]).toEqual([403, "user_required"]);
  });

  it("sees the RFC 6749 error of a wrong secret, with its Basic challenge", async () => {
    const error = await stockToken("tasks:read:any", oauth.ClientSecretBasic("abcs_wrong")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = error as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause.map((c) => [c.scheme, c.parameters.realm])).toEqual([["basic", "authbridge"]]);
    expect(await challenge.response.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("clientCredentials (the SDK's caller side)", () => {
  it("discovers the endpoint, fetches one token for many concurrent calls, and calls both task APIs", async () => {
    const requested: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requested.push(new Request(input, init).url);
      return fetch(input, init);
    };
    const reports = clientCredentials({
      serverUrl: stack.auth.url,
      clientId: reporter.client_id,
      clientSecret: reporter.client_secret,
      fetch: counting,
    });
    for (const backend of stack.backends.list) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => reports.fetch(`${backend.url}/api/admin/users`)),
      );
      expect(
        answers.map((answer) => answer.status),
        backend.name,
      ).toEqual(Array(10).fill(200));
    }
    expect(requested.filter((url) => url.endsWith("/.well-known/oauth-authorization-server"))).toHaveLength(1);
    expect(requested.filter((url) => url.endsWith("/api/auth/oauth2/token"))).toHaveLength(1);
    expect(decodeJwt(await reports.token())).toMatchObject({
      client_id: reporter.client_id,
      scope: "tasks:read:any users:list",
    });
  });

  it("refreshes shortly before expiry", async () => {
    let now = 1_000_000_000;
    const reports = clientCredentials({
      tokenUrl: `${stack.auth.url}/api/auth/oauth2/token`,
      clientId: reporter.client_id,
      clientSecret: reporter.client_secret,
      scope: "users:list",
      refreshSkewSeconds: 60,
      now: () => now,
    });
    const first = await reports.token();
    now += (3600 - 61) * 1000;
    expect(await reports.token()).toBe(first);
    now += 2000;
    expect(await reports.token()).not.toBe(first);
  });

  it("retries once with a new token after a 401 invalid_token", async () => {
    const seen: string[] = [];
    // An API that refuses the first token it sees, as a revoked key would be refused.
    const api = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? "");
      if (seen.length === 1) {
        res.writeHead(401, { "www-authenticate": 'Bearer realm="api", error="invalid_token"' }).end("{}");
      } else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const reports = clientCredentials({
        serverUrl: stack.auth.url,
        clientId: reporter.client_id,
        clientSecret: reporter.client_secret,
      });
      const res = await reports.fetch(`http://127.0.0.1:${(api.address() as AddressInfo).port}/anything`, {
        method: "POST",
        body: "a body sent twice",
      });
      expect(res.status).toBe(200);
      expect(seen).toHaveLength(2);
      expect(seen[0]).not.toBe(seen[1]);
    } finally {
      api.close();
    }
  });

  it("answers a wrong secret with ClientCredentialsError invalid_client, never showing the secret", async () => {
    const wrong = `abcs_${"x".repeat(43)}`;
    const reports = clientCredentials({ serverUrl: stack.auth.url, clientId: reporter.client_id, clientSecret: wrong });
    const error = await reports.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientCredentialsError);
    expect(error).toMatchObject({ error: "invalid_client", status: 401 });
    expect(String((error as Error).message)).not.toContain(wrong);
  });

  it("answers an unreachable auth server with ClientCredentialsError unreachable", async () => {
    const reports = clientCredentials({ tokenUrl: "http://127.0.0.1:9/token", clientId: "c", clientSecret: "s" });
    await expect(reports.token()).rejects.toMatchObject({ error: "unreachable" });
  });

  it("needs exactly one URL and both credentials", () => {
    expect(() => clientCredentials({ clientId: "a", clientSecret: "b" })).toThrow(TypeError);
    expect(() =>
      clientCredentials({ serverUrl: "http://x", tokenUrl: "http://x/t", clientId: "a", clientSecret: "b" }),
    ).toThrow(TypeError);
    expect(() => clientCredentials({ serverUrl: "http://x", clientId: "", clientSecret: "b" })).toThrow(TypeError);
  });
});

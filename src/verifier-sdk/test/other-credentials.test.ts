/**
 * `requireUser(verifier, { otherCredentials })`: a route that accepts a bearer token or another
 * credential (an API key header here), as python-backend's `require_user(other_credentials=...)`.
 */
import { AuthError, createVerifier, ErrorCode, type Principal, principalFromClaims } from "@authbridge/verifier";
import { authErrorHandler, type OtherCredential, requireUser } from "@authbridge/verifier/hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describe, expect, it } from "vitest";
import { AUDIENCE, claimsFor, ISSUER, signTestToken, useJwksServer } from "./support.js";

const server = useJwksServer();

const KEYS: Record<string, string> = { "key-of-robot": "robot-1" };
let asked: string[] = [];
const apiKey: OtherCredential = async (c) => {
  asked.push("apiKey");
  const presented = c.req.header("x-api-key");
  if (presented === undefined) return undefined;
  const owner = KEYS[presented];
  if (!owner) throw new AuthError(ErrorCode.INVALID_SIGNATURE);
  return principalFromClaims({ sub: owner, name: "robot" });
};
const never: OtherCredential = async () => {
  asked.push("never");
  return undefined;
};

function app() {
  asked = [];
  const verifier = createVerifier({
    jwksUrl: server.jwks.url,
    revocationUrl: server.jwks.revocationUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  const api = new Hono();
  api.onError(authErrorHandler());
  api.use("/api/*", requireUser(verifier, { otherCredentials: [never, apiKey] }));
  api.use("/api/*", bodyLimit({ maxSize: 1024, onError: (c) => c.json({ code: "payload_too_large" }, 413) }));
  api.post("/api/items", async (c) => {
    const user: Principal = c.var.user;
    return c.json({ caller: user.id, title: ((await c.req.json()) as { title: string }).title });
  });
  return api;
}

const post = (headers: Record<string, string>, body = '{"title":"t"}') =>
  app().request("/api/items", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("POST /api/items with requireUser({ otherCredentials })", () => {
  it("takes a bearer token as the caller without asking the others", async () => {
    const token = signTestToken(server.key, { claims: claimsFor("ada") });
    const res = await post({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ caller: "ada", title: "t" });
    expect(asked).toEqual([]);
  });

  it("asks the other credentials in order when there is no Authorization header", async () => {
    const res = await post({ "x-api-key": "key-of-robot" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { caller: string }).caller).toBe("robot-1");
    expect(asked).toEqual(["never", "apiKey"]);
  });

  it("answers 401 for a bad bearer token even with a good API key", async () => {
    const res = await post({ authorization: "Bearer nope", "x-api-key": "key-of-robot" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("malformed_token");
    expect(asked).toEqual([]);
  });

  it("answers a wrong API key with the error its credential throws", async () => {
    const res = await post({ "x-api-key": "stolen" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "The token signature is invalid", code: "invalid_signature" });
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="api", error="invalid_token"/);
  });

  it("answers 401 missing_token with no credential at all", async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("missing_token");
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });

  it("decides before the body: a wrong key with an oversize body is 401, a good one 413", async () => {
    expect((await post({ "x-api-key": "stolen" }, "x".repeat(10_000))).status).toBe(401);
    expect((await post({ "x-api-key": "key-of-robot" }, "x".repeat(10_000))).status).toBe(413);
  });

  it("refuses an option that is no function when the middleware is built", () => {
    const verifier = createVerifier({
      jwksUrl: server.jwks.url,
      revocationUrl: server.jwks.revocationUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect(() => requireUser(verifier, { otherCredentials: ["x-api-key" as never] })).toThrow(TypeError);
  });
});

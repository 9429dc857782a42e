/**
 * What the verifier tells an operator (never a token): the first failed JWKS fetch of an outage
 * with its URL and status, the recovery, and a token refused for its issuer or audience once per
 * distinct pair with the expected and the received value. python-backend writes the same lines.
 */
import { createVerifier } from "@authbridge/verifier";
import { describe, expect, it } from "vitest";
import { AUDIENCE, claimsFor, ISSUER, signTestToken, useJwksServer } from "./support.js";

const server = useJwksServer();

function recorder() {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    logger: {
      warn: (message: string) => lines.push({ level: "warn", message }),
      info: (message: string) => lines.push({ level: "info", message }),
    },
  };
}

describe("logging", () => {
  it("logs the first failed JWKS fetch with its URL and status, once per outage, and the recovery", async () => {
    const { lines, logger } = recorder();
    let status = 503;
    const fetch: typeof globalThis.fetch = async (_input, init) =>
      status === 200 ? globalThis.fetch(server.jwks.url, init) : new Response("down", { status });
    const url = "http://auth.invalid/.well-known/jwks.json";
    let now = 0;
    const verifier = createVerifier({
      jwksUrl: url,
      revocationUrl: false,
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch,
      logger,
      jwksCooldownSeconds: 0,
      jwksCacheSeconds: 1,
      monotonicNow: () => now,
    });
    expect(await verifier.warm()).toBe(false);
    now += 2_000;
    expect(await verifier.warm()).toBe(false);
    expect(lines).toEqual([
      {
        level: "warn",
        message: `authbridge: the JWKS fetch failed (GET ${url}: answered 503); the last good key set serves meanwhile`,
      },
    ]);
    status = 200;
    now += 2_000;
    expect(await verifier.warm()).toBe(true);
    expect(lines[1]).toEqual({ level: "info", message: `authbridge: the JWKS answers again (GET ${url})` });
  });

  it("logs a refused issuer or audience once per distinct pair, never the token", async () => {
    const { lines, logger } = recorder();
    const verifier = createVerifier({
      jwksUrl: server.jwks.url,
      revocationUrl: server.jwks.revocationUrl,
      issuer: ISSUER,
      audience: AUDIENCE,
      logger,
    });
    const token = (claims: Record<string, unknown>) =>
      signTestToken(server.key, { claims: { ...claimsFor("ada"), ...claims } });
    const wrongIssuer = token({ iss: "http://127.0.0.1:3000" });
    for (let i = 0; i < 3; i += 1)
      await expect(verifier.verify(wrongIssuer)).rejects.toMatchObject({ code: "invalid_issuer" });
    await expect(verifier.verify(token({ iss: "http://other" }))).rejects.toMatchObject({ code: "invalid_issuer" });
    await expect(verifier.verify(token({ aud: ["a", "b"] }))).rejects.toMatchObject({ code: "invalid_audience" });
    expect(lines.map((line) => line.message)).toEqual([
      `authbridge: a token was refused for its issuer "http://127.0.0.1:3000"; expected ${JSON.stringify(ISSUER)} (AUTH_ISSUER)`,
      `authbridge: a token was refused for its issuer "http://other"; expected ${JSON.stringify(ISSUER)} (AUTH_ISSUER)`,
      `authbridge: a token was refused for its audience ["a","b"]; expected one of ${JSON.stringify([AUDIENCE])} (AUTH_AUDIENCE)`,
    ]);
    expect(
      lines.every((line) => line.level === "warn" && !line.message.includes(wrongIssuer.split(".")[2] as string)),
    ).toBe(true);
  });

  it("refuses a logger without warn and info when the verifier is built", () => {
    expect(() =>
      createVerifier({
        jwksUrl: server.jwks.url,
        revocationUrl: server.jwks.revocationUrl,
        issuer: ISSUER,
        audience: AUDIENCE,
        logger: {} as never,
      }),
    ).toThrow(/logger must have warn\(\) and info\(\)/);
  });
});

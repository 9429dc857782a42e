/** The shared vectors (contract-tests/vectors): the TypeScript verifier agrees with every one. */
import fs from "node:fs";
import path from "node:path";
import { AuthError, checkPermission, checkRole, checkUser, createVerifier } from "@authbridge/verifier";
import { describe, expect, it } from "vitest";

interface Vector {
  name: string;
  token: string;
  jwks: { keys: never[] };
  now: number;
  issuer: string;
  audience: string;
  require?: { user?: boolean; roles?: string[]; permissions?: string[] };
  expect: Record<string, unknown>;
}

const file = path.resolve(import.meta.dirname, "../../../contract-tests/vectors/vectors.json");
const { vectors } = JSON.parse(fs.readFileSync(file, "utf8")) as { vectors: Vector[] };

describe("shared test vectors", () => {
  it("are at least 40 and cover every verification code", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40);
    const codes = new Set(vectors.map((v) => ("code" in v.expect ? v.expect.code : "ok")));
    // Every code a token alone can earn: not a missing header, an outage or an ownership check.
    const contract = JSON.parse(fs.readFileSync(path.resolve(file, "../../contract.json"), "utf8")) as {
      authErrors: Record<string, unknown>;
    };
    const untestable = new Set(["missing_token", "jwks_unavailable", "forbidden"]);
    for (const code of ["ok", ...Object.keys(contract.authErrors).filter((c) => !untestable.has(c))]) {
      expect(codes).toContain(code);
    }
  });

  it.each(vectors.map((v) => [v.name, v] as const))("%s", async (_name, vector) => {
    const verifier = createVerifier({
      jwks: vector.jwks,
      issuer: vector.issuer,
      audience: vector.audience,
      now: () => vector.now * 1000,
      tokenCacheSize: 0,
    });
    const result = await (async () => {
      try {
        const principal = await verifier.verify(vector.token);
        // Authentication (a person, where required), then role, then permission: CONTRACT §3's order.
        if (vector.require?.user) checkUser(principal);
        if (vector.require?.roles) checkRole(principal, vector.require.roles);
        if (vector.require?.permissions) checkPermission(principal, vector.require.permissions);
        return {
          ok: true as const,
          sub: principal.id,
          kind: principal.kind,
          client_id: principal.clientId,
          scopes: principal.scopes,
          roles: principal.roles,
          permissions: principal.permissions,
        };
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        return { code: error.code };
      }
    })();
    expect(result).toEqual(vector.expect);
  });
});

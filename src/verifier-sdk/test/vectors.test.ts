/** The shared vectors (contract-tests/vectors): the TypeScript verifier agrees with every one. */
import fs from "node:fs";
import path from "node:path";
import {
  AuthError,
  checkAuthentication,
  checkPermission,
  checkRole,
  checkUser,
  createVerifier,
} from "@authbridge/verifier";
import { describe, expect, it } from "vitest";

interface Vector {
  name: string;
  token: string;
  jwks: { keys: never[] };
  revocations?: { sessions?: string[]; clients?: string[]; not_before?: number };
  now: number;
  issuer: string;
  audience: string;
  require?: { user?: boolean; roles?: string[]; permissions?: string[]; mfa?: boolean; maxAge?: number };
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
      ...(vector.revocations ? { revocationList: vector.revocations } : {}),
      issuer: vector.issuer,
      audience: vector.audience,
      now: () => vector.now * 1000,
      tokenCacheSize: 0,
    });
    const result = await (async () => {
      try {
        const principal = await verifier.verify(vector.token);
        // Authentication (a person, where required), role, permission, then the sign-in: CONTRACT §3's order.
        const required = vector.require ?? {};
        if (required.user) checkUser(principal);
        if (required.roles) checkRole(principal, required.roles);
        if (required.permissions) checkPermission(principal, required.permissions);
        if (required.mfa || required.maxAge !== undefined) {
          checkAuthentication(principal, { mfa: required.mfa, maxAge: required.maxAge }, vector.now);
        }
        return {
          ok: true as const,
          sub: principal.id,
          kind: principal.kind,
          client_id: principal.clientId,
          scopes: principal.scopes,
          roles: principal.roles,
          permissions: principal.permissions,
          amr: principal.amr,
          auth_time: principal.authTime,
        };
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        // A step-up refusal is judged by its exact challenge too (what it asks the client for).
        return error.code === "insufficient_user_authentication"
          ? { code: error.code, challenge: error.wwwAuthenticate }
          : { code: error.code };
      }
    })();
    expect(result).toEqual(vector.expect);
  });
});

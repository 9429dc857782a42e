/**
 * contract.json is the single source of codes, messages, statuses, challenges and limits: both
 * verifiers' error tables and limits must equal it, so one edit there fails this test until the
 * TypeScript SDK and the Python library follow.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import {
  AuthError,
  type AuthErrorCode,
  ErrorCode,
  MAX_JSON_DEPTH,
  MAX_JWKS_BYTES,
  MAX_JWKS_KEYS,
  MAX_REVOCATION_BYTES,
  MAX_REVOCATION_ENTRIES,
  MAX_TOKEN_BYTES,
  MESSAGES,
  REALM,
} from "@authbridge/verifier";
import { describe, expect, it } from "vitest";
// Internals of the SDK held to the contract (not exported from the package).
import { MAX_MAX_AGE, MIN_MAX_AGE } from "../../src/verifier-sdk/src/jwks.js";
import { DEFAULTS, OPTION_ENV } from "../../src/verifier-sdk/src/options.js";
import { CONTRACT, challengeOf, snakeCase, verifierSettings } from "../src/contract.js";

const run = promisify(execFile);
const PYTHON = path.resolve(import.meta.dirname, "../../python-backend/.venv/bin/python");

/** What a verifier says for every code, in one comparable shape. */
type Table = Record<string, { status: number; message: string; challenge: string | null; retryAfter: boolean }>;

const expected: Table = Object.fromEntries(
  Object.entries(CONTRACT.authErrors).map(([code, spec]) => [
    code,
    { status: spec.status, message: spec.message, challenge: challengeOf(code), retryAfter: spec.retryAfter === true },
  ]),
);

/** Both libraries' code constants: every contract code, named in upper case. */
const codeConstants = Object.fromEntries(Object.keys(CONTRACT.authErrors).map((code) => [code.toUpperCase(), code]));

const PY_TABLE = `
import json
from authbridge import MAX_JSON_DEPTH, MAX_TOKEN_BYTES, MESSAGES, AuthError, ErrorCode
from authbridge.errors import REALM
from authbridge import MAX_JWKS_BYTES, MAX_JWKS_KEYS, AuthSettings
from authbridge.jwks import MAX_MAX_AGE, MIN_MAX_AGE
from authbridge import MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES
table = {}
for code in MESSAGES:
    e = AuthError(code, retry_after=7)
    table[code] = {"status": e.status, "message": e.detail, "challenge": e.www_authenticate,
                   "retryAfter": "Retry-After" in e.headers}
print(json.dumps({"table": table, "realm": REALM, "maxTokenBytes": MAX_TOKEN_BYTES,
                  "errorCodes": {member.name: member.value for member in ErrorCode},
                  "maxJsonDepth": MAX_JSON_DEPTH, "maxJwksBytes": MAX_JWKS_BYTES, "maxJwksKeys": MAX_JWKS_KEYS,
                  "maxAge": [MIN_MAX_AGE, MAX_MAX_AGE],
                  "revocation": [MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES],
                  "settings": {name: field.get_default(call_default_factory=True)
                               for name, field in AuthSettings.model_fields.items()}}))
`;

/** What the Python library says, asked once for the file. */
let pythonAnswer: Promise<Record<string, unknown>> | undefined;
const python = () => {
  pythonAnswer ??= run(PYTHON, ["-c", PY_TABLE]).then(({ stdout }) => JSON.parse(stdout));
  return pythonAnswer;
};

describe("contract.json against both verifiers", () => {
  it("the TypeScript SDK's codes, messages, statuses and challenges", () => {
    const table: Table = {};
    for (const code of Object.keys(MESSAGES) as AuthErrorCode[]) {
      const error = new AuthError(code, { retryAfter: 7 });
      table[code] = {
        status: error.status,
        message: error.detail,
        challenge: error.wwwAuthenticate ?? null,
        retryAfter: "retry-after" in error.headers,
      };
    }
    expect(table).toEqual(expected);
    expect(REALM).toBe(CONTRACT.realm);
    expect(MAX_TOKEN_BYTES).toBe(CONTRACT.limits.maxTokenBytes);
    expect(MAX_JSON_DEPTH).toBe(CONTRACT.limits.maxJsonDepth);
    expect({ ...ErrorCode }).toEqual(codeConstants);
    expect(MAX_JWKS_BYTES).toBe(CONTRACT.limits.maxJwksBytes);
    expect(MAX_JWKS_KEYS).toBe(CONTRACT.limits.maxJwksKeys);
    expect([MIN_MAX_AGE, MAX_MAX_AGE]).toEqual([
      CONTRACT.limits.minJwksMaxAgeSeconds,
      CONTRACT.limits.maxJwksMaxAgeSeconds,
    ]);
    expect([MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES]).toEqual([
      CONTRACT.limits.maxRevocationBytes,
      CONTRACT.limits.maxRevocationEntries,
    ]);
  });

  it("the TypeScript SDK's options, their AUTH_* variables and defaults", () => {
    const settings = verifierSettings();
    expect(OPTION_ENV).toEqual(Object.fromEntries(Object.entries(settings).map(([name, spec]) => [name, spec.env])));
    const defaults = Object.fromEntries(
      Object.entries(settings).flatMap(([name, spec]) => ("default" in spec ? [[name, spec.default]] : [])),
    );
    expect({ ...DEFAULTS, algorithms: [...DEFAULTS.algorithms] }).toEqual(defaults);
  });

  it("the Python library's settings: the same options in snake_case, with the same defaults", async () => {
    const py = (await python()) as { settings: Record<string, unknown> };
    const settings = verifierSettings();
    expect(Object.keys(py.settings).sort()).toEqual(Object.keys(settings).map(snakeCase).sort());
    for (const [name, spec] of Object.entries(settings)) {
      if ("default" in spec) expect(py.settings[snakeCase(name)], name).toEqual(spec.default);
    }
  });

  it("the Python library's codes, messages, statuses, challenges and limits", async () => {
    const py = (await python()) as Record<string, unknown> & { table: Table };
    expect(py.table).toEqual(expected);
    expect(py.realm).toBe(CONTRACT.realm);
    expect(py.maxTokenBytes).toBe(CONTRACT.limits.maxTokenBytes);
    expect(py.maxJsonDepth).toBe(CONTRACT.limits.maxJsonDepth);
    expect(py.errorCodes).toEqual(codeConstants);
    expect(py.maxJwksBytes).toBe(CONTRACT.limits.maxJwksBytes);
    expect(py.maxJwksKeys).toBe(CONTRACT.limits.maxJwksKeys);
    expect(py.maxAge).toEqual([CONTRACT.limits.minJwksMaxAgeSeconds, CONTRACT.limits.maxJwksMaxAgeSeconds]);
    expect(py.revocation).toEqual([CONTRACT.limits.maxRevocationBytes, CONTRACT.limits.maxRevocationEntries]);
  });
});

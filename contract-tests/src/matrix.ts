/**
 * The HTTP contract matrix (CONTRACT §3–§4) as data and checks, shared by the vitest suite and
 * the external runner (`npm run contract`): what to send, what must come back, and a readable
 * diff when two backends answer differently.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { challengeOf, type StepUp, specOf } from "./contract.js";

export interface Observed {
  status: number;
  wwwAuthenticate: string | null;
  retryAfter: string | null;
  body: unknown;
  bodyKeys: string[];
  code: string | undefined;
}

export interface Expectation {
  status: number;
  code?: string;
  /** 422 answers carry `{"detail": [...]}`. */
  detailArray?: boolean;
  /** What a step-up refusal's challenge names (`acr_values`, `max_age`). */
  stepUp?: StepUp;
}

export async function observe(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Observed> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const isObject = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
  return {
    status: res.status,
    wwwAuthenticate: res.headers.get("www-authenticate"),
    retryAfter: res.headers.get("retry-after"),
    body: parsed,
    bodyKeys: isObject ? Object.keys(parsed as object).sort() : [],
    code: isObject ? ((parsed as { code?: string }).code ?? undefined) : undefined,
  };
}

/** Everything about one answer that breaks the contract, as readable lines. */
export function problems(observed: Observed, expect: Expectation): string[] {
  const out: string[] = [];
  if (observed.status !== expect.status) out.push(`status ${observed.status}, expected ${expect.status}`);
  if (observed.status >= 500 && expect.status < 500) out.push("a 5xx for client input");
  if (expect.detailArray) {
    if (!Array.isArray((observed.body as { detail?: unknown } | null)?.detail))
      out.push("422 body has no detail array");
    return out;
  }
  if (expect.status === 204) return out;
  if (expect.code !== undefined) {
    if (observed.code !== expect.code) out.push(`code ${observed.code}, expected ${expect.code}`);
    if (observed.bodyKeys.join(",") !== "code,detail")
      out.push(`body keys [${observed.bodyKeys}], expected [code,detail]`);
    const challenge = challengeOf(expect.code, expect.stepUp);
    if (observed.wwwAuthenticate !== challenge) {
      out.push(`WWW-Authenticate ${JSON.stringify(observed.wwwAuthenticate)}, expected ${JSON.stringify(challenge)}`);
    }
    const message = specOf(expect.code)?.message;
    const detail = (observed.body as { detail?: unknown } | null)?.detail;
    if (message !== undefined && detail !== message)
      out.push(`detail ${JSON.stringify(detail)}, expected "${message}"`);
    const wantsRetry = specOf(expect.code)?.retryAfter === true;
    if (wantsRetry && !(Number(observed.retryAfter) >= 1)) out.push(`Retry-After ${observed.retryAfter}, expected ≥ 1`);
    if (!wantsRetry && observed.retryAfter !== null) out.push(`unexpected Retry-After ${observed.retryAfter}`);
  }
  return out;
}

/** Differences between two backends' answers to the same request (values of ids excepted). */
export function parity(a: Observed, b: Observed): string[] {
  const out: string[] = [];
  if (a.status !== b.status) out.push(`status: ${a.status} ≠ ${b.status}`);
  if (a.wwwAuthenticate !== b.wwwAuthenticate)
    out.push(`WWW-Authenticate: ${a.wwwAuthenticate} ≠ ${b.wwwAuthenticate}`);
  if ((a.retryAfter === null) !== (b.retryAfter === null)) out.push(`Retry-After: ${a.retryAfter} ≠ ${b.retryAfter}`);
  if (a.code !== b.code) out.push(`code: ${a.code} ≠ ${b.code}`);
  const keys = (o: Observed) => (Array.isArray(o.body) ? `array` : o.bodyKeys.join(","));
  if (keys(a) !== keys(b)) out.push(`body keys: [${keys(a)}] ≠ [${keys(b)}]`);
  if (Array.isArray(a.body) && Array.isArray(b.body) && a.body.length !== b.body.length) {
    out.push(`list length: ${a.body.length} ≠ ${b.body.length}`);
  }
  const da = detailOf(a);
  const db = detailOf(b);
  if (da !== db) out.push(`detail: ${da} ≠ ${db}`);
  return out;
}

/**
 * `detail` as the contract compares it: a string exactly; a 422's list by the request parts its
 * issues name (`loc[0]`: body, query, path), since each framework words its own messages.
 */
function detailOf(o: Observed): string {
  const detail = (o.body as { detail?: unknown } | null)?.detail;
  if (!Array.isArray(detail)) return JSON.stringify(detail ?? null);
  const parts = new Set(detail.map((issue) => String((issue as { loc?: unknown[] }).loc?.[0])));
  return `422 issues in [${[...parts].sort().join(",")}]`;
}

export interface Route {
  method: string;
  /** `task` is an existing task of the owner on that backend. */
  path: (ids: { owner: string; task: string }) => string;
  body?: unknown;
}

/** Every protected route of CONTRACT §4, with a valid body where one is needed. */
export const PROTECTED_ROUTES: readonly Route[] = [
  { method: "GET", path: () => "/api/me" },
  { method: "GET", path: () => "/api/tasks" },
  { method: "POST", path: () => "/api/tasks", body: { title: "contract" } },
  { method: "GET", path: ({ task }) => `/api/tasks/${task}` },
  { method: "PATCH", path: ({ task }) => `/api/tasks/${task}`, body: { completed: true } },
  { method: "DELETE", path: ({ task }) => `/api/tasks/${task}` },
  { method: "GET", path: ({ owner }) => `/api/users/${owner}/tasks` },
  { method: "POST", path: ({ owner }) => `/api/users/${owner}/tasks`, body: { title: "contract" } },
];

/** The admin routes (CONTRACT §4): the `admin` role, then the permission each names. */
export const ADMIN_ROUTES: readonly (Route & { permission: string })[] = [
  { method: "GET", path: () => "/api/admin/tasks", permission: "tasks:read:any" },
  { method: "DELETE", path: ({ task }) => `/api/admin/tasks/${task}`, permission: "tasks:write:any" },
  { method: "GET", path: () => "/api/admin/users", permission: "users:list" },
];

export const routeName = (route: Route) => `${route.method} ${route.path({ owner: ":user", task: ":id" })}`;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Authorization headers for each token failure that needs no signing key, by intent. */
export function keylessCredentials(validJwt: string): Record<string, Record<string, string> | undefined> {
  const [header, payload, signature] = validJwt.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  const { privateKey } = generateKeyPairSync("ed25519");
  const input = `${b64({ alg: "EdDSA", kid: `unknown-${Date.now()}` })}.${payload}`;
  return {
    missing_token: undefined,
    other_scheme: { authorization: "Basic YWxpY2U6c2VjcmV0" },
    malformed_token: { authorization: "Bearer not.a-token" },
    unsupported_algorithm: {
      authorization: `Bearer ${b64({ alg: "none", kid: JSON.parse(Buffer.from(header, "base64url").toString()).kid })}.${payload}.`,
    },
    unknown_key: {
      authorization: `Bearer ${input}.${sign(null, Buffer.from(input), privateKey).toString("base64url")}`,
    },
    invalid_signature: { authorization: `Bearer ${header}.${b64({ ...claims, sub: "someone-else" })}.${signature}` },
  };
}

export const CODE_OF: Record<string, string> = { other_scheme: "missing_token" };

/**
 * Hostile and malformed input against both task APIs (CONTRACT §3–§4, "Bad input"): every case
 * is sent to both, checked against the contract and against each other (status,
 * WWW-Authenticate, body keys, code, detail), and no input is ever a 5xx. Then: oversize
 * bodies with and without a token, streamed or declared, and 20 concurrent 10 MB bodies that
 * must not grow either process by more than 50 MB.
 */
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpUser, type User } from "../src/auth.js";
import type { Backend } from "../src/backends.js";
import { type Observed, parity, problems } from "../src/matrix.js";
import { createTask, type Stack, startStack } from "../src/stack.js";

let stack: Stack;
let alice: User;
let bob: User;
const own = new Map<string, string>();
const foreign = new Map<string, string>();
const MISSING = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([signUpUser(stack.auth.url, "hostile-a"), signUpUser(stack.auth.url, "hostile-b")]);
  for (const backend of stack.backends.list) {
    own.set(backend.name, await createTask(backend, alice.jwt));
    foreign.set(backend.name, await createTask(backend, bob.jwt));
  }
}, 180_000);
afterAll(async () => stack?.close());

interface Raw {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Bytes as sent; `undefined` sends no body. */
  body?: Buffer | string;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  token?: "alice" | "none";
}

const RESET: Observed = {
  status: 0,
  wwwAuthenticate: null,
  retryAfter: null,
  body: null,
  bodyKeys: [],
  code: undefined,
};

/** One request over a fresh connection, bytes exactly as given. */
function send(backend: Backend, raw: Raw): Promise<Observed> {
  const url = new URL(raw.path, backend.url);
  const headers: Record<string, string> = { ...(raw.headers ?? {}) };
  if ((raw.token ?? "alice") === "alice") headers.authorization = `Bearer ${alice.jwt}`;
  const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
  if (body && !raw.chunked) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: raw.method, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
        const isObject = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
        resolve({
          status: res.statusCode ?? 0,
          wwwAuthenticate: (res.headers["www-authenticate"] as string | undefined) ?? null,
          retryAfter: (res.headers["retry-after"] as string | undefined) ?? null,
          body: parsed,
          bodyKeys: isObject ? Object.keys(parsed as object).sort() : [],
          code: isObject ? (parsed as { code?: string }).code : undefined,
        });
      });
    });
    // The server may answer and close before it reads a body it refuses: that is the point.
    // Then the client's own write fails; the answer, if it arrived first, stands. A reset that
    // comes before any answer is reported as status 0.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
      else if (!answered) resolve(RESET);
    });
    if (body && raw.chunked) {
      for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
    } else if (body) req.write(body);
    req.end();
  });
}

const JSON_HEADERS = { "content-type": "application/json" };
const json = (value: string) => ({ headers: JSON_HEADERS, body: value });
const task = (id: (b: Backend) => string) => (b: Backend) => `/api/tasks/${id(b)}`;
const ownTask = task((b) => own.get(b.name) as string);
const foreignTask = task((b) => foreign.get(b.name) as string);
const missingTask = task(() => MISSING);
const bobTasks = () => `/api/users/${bob.id}/tasks`;

interface Case {
  name: string;
  method: string;
  path: string | ((b: Backend) => string);
  raw?: Omit<Raw, "method" | "path">;
  status: number;
  code?: string;
  /** A 422's first issue, the same in both: its `type`, and the field it names (`loc[1]`). */
  issue?: { type?: string; field?: string };
}

const CASES: Case[] = [
  // The order of checks: 401 → 422 → 404 → 403.
  { name: "PATCH own task, invalid body", method: "PATCH", path: ownTask, raw: json('{"completed":"yes"}'), status: 422 },
  { name: "PATCH someone else's task, invalid body", method: "PATCH", path: foreignTask, raw: json('{"title":""}'), status: 422 },
  { name: "PATCH a missing task, invalid body", method: "PATCH", path: missingTask, raw: json('{"title":""}'), status: 422 },
  { name: "PATCH someone else's task, valid body", method: "PATCH", path: foreignTask, raw: json('{"title":"x"}'), status: 403, code: "forbidden" },
  { name: "PATCH a missing task, valid body", method: "PATCH", path: missingTask, raw: json('{"title":"x"}'), status: 404, code: "not_found" },
  { name: "PATCH without a token, invalid body", method: "PATCH", path: foreignTask, raw: { ...json("{"), token: "none" }, status: 401, code: "missing_token" },
  { name: "POST to another user, invalid body", method: "POST", path: bobTasks, raw: json('{"title":""}'), status: 422 },
  { name: "POST to another user, valid body", method: "POST", path: bobTasks, raw: json('{"title":"x"}'), status: 403, code: "forbidden" },
  { name: "GET another user's list, invalid query", method: "GET", path: () => `${bobTasks()}?limit=500`, status: 422 },
  { name: "GET another user's list", method: "GET", path: bobTasks, status: 403, code: "forbidden" },
  // Query strings.
  { name: "a repeated limit takes its last value (invalid)", method: "GET", path: "/api/tasks?limit=5&limit=500", status: 422 },
  { name: "a repeated limit takes its last value (valid)", method: "GET", path: "/api/tasks?limit=500&limit=5", status: 200 },
  { name: "offset=1.0", method: "GET", path: "/api/tasks?offset=1.0", status: 200 },
  { name: "offset=1.5", method: "GET", path: "/api/tasks?offset=1.5", status: 422 },
  { name: "offset past 64 bits", method: "GET", path: "/api/tasks?offset=9223372036854775808", status: 422 },
  { name: "offset past the contract's bound", method: "GET", path: "/api/tasks?offset=1000000001", status: 422 },
  { name: "limit with an underscore", method: "GET", path: "/api/tasks?limit=1_0", status: 200 },
  { name: "limit=1e2", method: "GET", path: "/api/tasks?limit=1e2", status: 422 },
  { name: "completed=maybe", method: "GET", path: "/api/tasks?completed=maybe", status: 422 },
  // Bodies.
  { name: "text/plain body", method: "POST", path: "/api/tasks", raw: { headers: { "content-type": "text/plain" }, body: '{"title":"x"}' }, status: 422 },
  { name: "no content type", method: "POST", path: "/api/tasks", raw: { body: '{"title":"x"}' }, status: 422 },
  { name: "empty JSON body", method: "POST", path: "/api/tasks", raw: json(""), status: 422 },
  { name: "NaN", method: "POST", path: "/api/tasks", raw: json('{"title":"x","completed":NaN}'), status: 422 },
  { name: "Infinity", method: "POST", path: "/api/tasks", raw: json('{"title":"x","completed":Infinity}'), status: 422 },
  { name: "a number beyond a double", method: "POST", path: "/api/tasks", raw: json('{"title":"x","completed":1e400}'), status: 422 },
  { name: "a huge integer as title", method: "POST", path: "/api/tasks", raw: json(`{"title":${"9".repeat(4000)}}`), status: 422 },
  { name: "deep nesting", method: "POST", path: "/api/tasks", raw: json(`{"title":${"[".repeat(30_000)}${"]".repeat(30_000)}}`), status: 422 },
  { name: "invalid UTF-8", method: "POST", path: "/api/tasks", raw: { headers: JSON_HEADERS, body: Buffer.from([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, status: 422 },
  { name: "duplicate keys, the last one invalid", method: "POST", path: "/api/tasks", raw: json('{"title":"a","title":""}'), status: 422 },
  { name: "duplicate keys, the last one valid", method: "POST", path: "/api/tasks", raw: json('{"title":"","title":"a"}'), status: 201 },
  { name: "NUL in the title", method: "POST", path: "/api/tasks", raw: json('{"title":"a\\u0000b"}'), status: 422 },
  { name: "NUL in the description", method: "POST", path: "/api/tasks", raw: json('{"title":"a","description":"\\u0000"}'), status: 422 },
  { name: "a JSON array body", method: "POST", path: "/api/tasks", raw: json("[]"), status: 422 },
  { name: "an owner in the body", method: "POST", path: "/api/tasks", raw: json(`{"title":"x","user_id":"someone"}`), status: 422 },
  { name: "a byte order mark before the body", method: "POST", path: "/api/tasks", raw: json('\ufeff{"title":"x"}'), status: 422, issue: { type: "json_invalid" } },
  { name: "a 5000-digit integer", method: "POST", path: "/api/tasks", raw: json(`{"title":"x","completed":${"9".repeat(5000)}}`), status: 422, issue: { type: "json_invalid" } },
  { name: "a 400-digit integer (beyond a double)", method: "POST", path: "/api/tasks", raw: json(`{"title":"x","completed":-${"9".repeat(400)}}`), status: 422, issue: { type: "json_invalid" } },
  { name: "an unpaired surrogate in the title", method: "POST", path: "/api/tasks", raw: json('{"title":"x\\ud800y"}'), status: 422, issue: { field: "title" } },
  { name: "an unpaired low surrogate in the description", method: "POST", path: "/api/tasks", raw: json('{"title":"x","description":"\\udc00"}'), status: 422, issue: { field: "description" } },
  { name: "an unpaired surrogate in a PATCH", method: "PATCH", path: ownTask, raw: json('{"title":"\\ud83d"}'), status: 422, issue: { field: "title" } },
  { name: "an escaped surrogate pair (one emoji)", method: "POST", path: "/api/tasks", raw: json('{"title":"x\\ud83d\\ude00"}'), status: 201 },
]; // biome-ignore format: one case per line reads as a table

describe("bad input gets the same answer from both APIs, never a 5xx", () => {
  it.each(CASES)("$name → $status", async (c) => {
    const answers = await Promise.all(
      stack.backends.list.map((backend) =>
        send(backend, { method: c.method, path: typeof c.path === "string" ? c.path : c.path(backend), ...c.raw }),
      ),
    );
    const report: string[] = [];
    stack.backends.list.forEach((backend, i) => {
      const observed = answers[i] as Observed;
      const expected = { status: c.status, ...(c.code ? { code: c.code } : {}), detailArray: c.status === 422 };
      for (const problem of problems(observed, expected)) report.push(`${backend.name}: ${problem}`);
    });
    for (const difference of parity(answers[0] as Observed, answers[1] as Observed))
      report.push(`parity: ${difference}`);
    if (c.issue) {
      stack.backends.list.forEach((backend, i) => {
        const first = ((answers[i] as Observed).body as { detail?: { type?: string; loc?: unknown[] }[] } | null)
          ?.detail?.[0];
        if (c.issue?.type !== undefined && first?.type !== c.issue.type)
          report.push(`${backend.name}: issue type ${first?.type}, expected ${c.issue.type}`);
        if (c.issue?.field !== undefined && first?.loc?.[1] !== c.issue.field)
          report.push(`${backend.name}: issue at ${JSON.stringify(first?.loc)}, expected the field ${c.issue.field}`);
      });
    }
    expect(report).toEqual([]);
  });
});

describe("oversize bodies", () => {
  const big = Buffer.from(JSON.stringify({ title: "x".repeat(200_000) }));
  it.each([
    {
      name: "declared, with a token",
      options: { chunked: false, token: "alice" },
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "chunked, with a token",
      options: { chunked: true, token: "alice" },
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "declared, without a token",
      options: { chunked: false, token: "none" },
      status: 401,
      code: "missing_token",
    },
    { name: "chunked, without a token", options: { chunked: true, token: "none" }, status: 401, code: "missing_token" },
    // 10 MB: a server that closed on the unread rest made the client see a reset, not the 413.
    {
      name: "10 MB declared, with a token",
      options: { chunked: false, token: "alice", size: 10 },
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "10 MB chunked, with a token",
      options: { chunked: true, token: "alice", size: 10 },
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "10 MB declared, without a token",
      options: { chunked: false, token: "none", size: 10 },
      status: 401,
      code: "missing_token",
    },
  ] as const)("$name → $status $code on both", async ({ options, status, code }) => {
    const { size, ...raw } = { size: 0, ...options };
    const body = size ? Buffer.alloc(size * 1024 * 1024, 0x61) : big;
    const answers = await Promise.all(
      stack.backends.list.map((backend) =>
        send(backend, { method: "POST", path: "/api/tasks", headers: JSON_HEADERS, body, ...raw }),
      ),
    );
    for (const observed of answers) {
      expect(problems(observed, { status, code })).toEqual([]);
    }
    expect(parity(answers[0] as Observed, answers[1] as Observed)).toEqual([]);
  });
});

/** Resident memory of a process in bytes (Linux). */
function rss(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? 0) * 1024;
}

describe.runIf(process.platform === "linux")("memory before authentication", () => {
  it.each(["python", "typescript"])(
    "%s: 20 concurrent 10 MB bodies without a token stay within +50 MB",
    async (name) => {
      const backend = stack.backends.list.find((b) => b.name === name) as Backend;
      const before = rss(backend.pid);
      const body = Buffer.alloc(10 * 1024 * 1024, 0x61);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rss(backend.pid));
      }, 20);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          send(backend, { method: "POST", path: "/api/tasks", headers: JSON_HEADERS, body, token: "none" }),
        ),
      );
      clearInterval(sampler);
      peak = Math.max(peak, rss(backend.pid));
      const statuses = answers.map((a) => a.status);
      console.log(`[memory] ${name}: +${((peak - before) / 1048576).toFixed(1)} MB, answers ${statuses.join(",")}`);
      // Every client reads its 401: the refused body is discarded, not left for a reset.
      expect(statuses).toEqual(Array(20).fill(401));
      expect(peak - before).toBeLessThan(50 * 1024 * 1024);
    },
    60_000,
  );
});

describe("keep-alive clients after a 413", () => {
  it.each(["python", "typescript"])("%s: the next request on the same agent succeeds", async (name) => {
    const backend = stack.backends.list.find((b) => b.name === name) as Backend;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const request = (body: Buffer) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          new URL("/api/tasks", backend.url),
          {
            method: "POST",
            agent,
            headers: { ...JSON_HEADERS, authorization: `Bearer ${alice.jwt}`, "content-length": String(body.length) },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    expect(await request(Buffer.from(JSON.stringify({ title: "x".repeat(100_000) })))).toBe(413);
    expect(await request(Buffer.from(JSON.stringify({ title: "after" })))).toBe(201);
    agent.destroy();
  });
});

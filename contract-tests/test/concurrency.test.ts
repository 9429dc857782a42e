/**
 * A frontend's burst, on both task APIs and both databases: 20 users × 10 concurrent creates
 * each, all 200 in flight at once. Every create is a 201, nothing is a 5xx, each user then sees
 * exactly its own 10, and the burst ends within a generous bound (speed is the benchmark's job).
 */

import { createPostgresDatabase } from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpUser, type User } from "../src/auth.js";
import { type Stack, startStack } from "../src/stack.js";

const USERS = 20;
const PER_USER = 10;
const BOUND_MS = 20_000;

const POSTGRES_URL = process.env.TEST_DATABASE_URL;
if (!POSTGRES_URL) console.log("[skip] TEST_DATABASE_URL is not set: the PostgreSQL burst is skipped");

describe.each([
  ["sqlite", true],
  ["postgres", Boolean(POSTGRES_URL)],
] as const)("200 concurrent creates on %s", (database, enabled) => {
  let stack: Stack;
  let scratch: { url: string; drop(): Promise<void> }[] = [];
  let users: User[];

  beforeAll(async () => {
    if (!enabled) return;
    if (database === "postgres") {
      scratch = (await Promise.all([createPostgresDatabase(), createPostgresDatabase()])).filter(
        (d) => d !== undefined,
      );
    }
    const [python, typescript] = scratch.map((d) => d.url);
    stack = await startStack({ python, typescript });
    users = await Promise.all(Array.from({ length: USERS }, (_, i) => signUpUser(stack.auth.url, `burst${i}`)));
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await Promise.all(scratch.map((d) => d.drop()));
  });

  it.runIf(enabled).each(["python", "typescript"])(
    "%s: all 201, no 5xx, each user sees exactly its own tasks",
    async (name) => {
      const backend = stack.backends.list.find((b) => b.name === name);
      if (!backend) throw new Error(`no backend ${name}`);
      const started = Date.now();
      const statuses = await Promise.all(
        users.flatMap((user) =>
          Array.from({ length: PER_USER }, async (_, i) => {
            const res = await fetch(`${backend.url}/api/tasks`, {
              method: "POST",
              headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
              body: JSON.stringify({ title: `${user.id} #${i}` }),
            });
            await res.arrayBuffer();
            return res.status;
          }),
        ),
      );
      const elapsed = Date.now() - started;
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      expect(elapsed).toBeLessThan(BOUND_MS);
      const lists = await Promise.all(
        users.map(async (user) => {
          const res = await fetch(`${backend.url}/api/tasks?limit=100`, {
            headers: { authorization: `Bearer ${user.jwt}` },
          });
          expect(res.status).toBe(200);
          return { user, list: (await res.json()) as { user_id: string; title: string }[] };
        }),
      );
      for (const { user, list } of lists) {
        expect(list).toHaveLength(PER_USER);
        expect(list.every((t) => t.user_id === user.id && t.title.startsWith(user.id))).toBe(true);
      }
    },
    60_000,
  );
});

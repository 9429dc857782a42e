/** 20 users × 20 tasks created concurrently on both backends: each user sees exactly its own 20, no 5xx. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpUser, type User } from "../src/auth.js";
import { type Stack, startStack } from "../src/stack.js";

let stack: Stack;
let users: User[];
beforeAll(async () => {
  stack = await startStack();
  users = await Promise.all(Array.from({ length: 20 }, (_, i) => signUpUser(stack.auth.url, `load${i}`)));
}, 180_000);
afterAll(async () => stack?.close());

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe("concurrency", () => {
  it.each(["python", "typescript"])("%s: 400 concurrent creates stay with their owners", async (name) => {
    const backend = stack.backends.list.find((b) => b.name === name);
    if (!backend) throw new Error(`no backend ${name}`);
    const jobs = users.flatMap((user) =>
      Array.from({ length: 20 }, (_, i) => async () => {
        const res = await fetch(`${backend.url}/api/tasks`, {
          method: "POST",
          headers: { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" },
          body: JSON.stringify({ title: `${user.id} #${i}` }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const statuses = await pool(jobs, 40);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 201)).toBe(true);
    for (const user of users) {
      const res = await fetch(`${backend.url}/api/tasks?limit=100`, {
        headers: { authorization: `Bearer ${user.jwt}` },
      });
      const list = (await res.json()) as { user_id: string; title: string }[];
      expect(list).toHaveLength(20);
      expect(list.every((t) => t.user_id === user.id && t.title.startsWith(user.id))).toBe(true);
    }
  });
});

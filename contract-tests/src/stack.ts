/** The whole system under test for one suite: auth server, both backends, signed-up users. */

import { liveView, useBeforeAll } from "@authbridge/harness/vitest";
import { inject } from "vitest";
import { type AuthHandle, signUpUser, startAuth, type User } from "./auth.js";
import { type Backend, type BackendDatabases, type Backends, startBackends } from "./backends.js";
import type { Runtime } from "./runtime.js";

export interface Stack {
  runtime: Runtime;
  auth: AuthHandle;
  backends: Backends;
  close(): Promise<void>;
}

export async function startStack(
  databases: BackendDatabases = {},
  authEnv: Record<string, string> = {},
): Promise<Stack> {
  // Decided once for the whole run by contract-tests/src/global-setup.ts.
  const choice = inject("contractRuntime");
  const runtime = choice.runtime;
  const auth = await startAuth(authEnv);
  let backends: Backends;
  try {
    backends = await startBackends(choice, auth, databases);
  } catch (error) {
    await auth.close();
    throw error;
  }
  return {
    runtime,
    auth,
    backends,
    close: async () => {
      // Every child and container is stopped, also when a test failed.
      await backends.stop().finally(() => auth.close());
    },
  };
}

export async function createTask(backend: Backend, jwt: string, title = "contract task"): Promise<string> {
  const res = await fetch(`${backend.url}/api/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 201) throw new Error(`${backend.name}: create failed with ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/**
 * The stack and one signed-up user for a file's tests, closed after them.
 *
 * @example
 * const { stack, user } = useStack("fuzzer");
 */
export function useStack(userLabel: string): { stack: Stack; user: User } {
  const started = useBeforeAll(
    async () => {
      const stack = await startStack();
      try {
        return { stack, user: await signUpUser(stack.auth.url, userLabel) };
      } catch (error) {
        await stack.close();
        throw error;
      }
    },
    ({ stack }) => stack.close(),
    180_000,
  );
  // Each a view of its own, so a file can keep the names it destructured.
  return { stack: liveView(() => started.stack), user: liveView(() => started.user) };
}

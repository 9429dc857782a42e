/** The whole system under test for one suite: auth server, both backends, signed-up users. */
import { type AuthHandle, startAuth } from "./auth.js";
import { type Backend, type Backends, startBackends } from "./backends.js";
import { type Runtime, resolveRuntime } from "./runtime.js";

export interface Stack {
  runtime: Runtime;
  auth: AuthHandle;
  backends: Backends;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const runtime = await resolveRuntime();
  const auth = await startAuth(runtime === "container" ? "0.0.0.0" : "127.0.0.1");
  let backends: Backends;
  try {
    backends = await startBackends(runtime, auth);
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

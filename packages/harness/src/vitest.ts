/** The harness's servers as vitest fixtures: started before a file's tests, closed after them. */
import { afterAll, beforeAll } from "vitest";
import { type RunningAuthServer, startAuthServer } from "./auth-server.js";

/**
 * A live view of something `start` makes before the file's tests (`beforeAll`) and `close`s after
 * them: reading a property before then throws, instead of handing out `undefined`.
 */
export function useBeforeAll<T extends object>(
  start: () => Promise<T>,
  close: (value: T) => Promise<void>,
  timeoutMs?: number,
): T {
  let current: T | undefined;
  beforeAll(async () => {
    current = await start();
  }, timeoutMs);
  afterAll(async () => {
    if (current) await close(current);
  });
  return liveView(() => current);
}

/** An object whose every property is read from `current()` at the time of reading. */
export function liveView<T extends object>(current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = current();
      if (!value) throw new Error(`used before beforeAll started it (reading ${String(property)})`);
      const found = Reflect.get(value, property, value);
      return typeof found === "function" ? found.bind(value) : found;
    },
  });
}

/**
 * The auth server in process for the file's tests (`startAuthServer(env)`), closed after them.
 *
 * @example
 * const running = useAuthServer({ JWKS_MAX_AGE_SECONDS: "120" });
 * it("…", async () => fetch(`${running.url}/api/auth/jwks`));
 */
export const useAuthServer = (env: Record<string, string> = {}): RunningAuthServer =>
  useBeforeAll(
    () => startAuthServer(env),
    (server) => server.close(),
  );

/**
 * Watching both backends refuse a token once its session or client was revoked (CONTRACT §8):
 * how long after the revocation each answered 401 `token_revoked`, measured, not assumed.
 */
import { CONTRACT } from "./contract.js";
import { observe } from "./matrix.js";

/** The bound both backends must meet with the default poll interval. */
export const BOUND_MS = CONTRACT.revocation.boundSeconds * 1000;

/** Milliseconds from `since` until each backend answered `jwt` with 401 token_revoked on `path`. */
export async function timeToRefusal(
  backends: readonly { name: string; url: string }[],
  jwt: string,
  since: number,
  path = "/api/me",
): Promise<Record<string, number>> {
  const deadline = since + BOUND_MS + 5_000;
  const times = await Promise.all(
    backends.map(async (backend) => {
      for (;;) {
        const answer = await observe(backend.url, "GET", path, { authorization: `Bearer ${jwt}` });
        if (answer.status === 401 && answer.code === "token_revoked") return Date.now() - since;
        if (answer.status !== 200) throw new Error(`${backend.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
        if (Date.now() > deadline)
          throw new Error(`${backend.name} still accepts the token after ${Date.now() - since} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
  return Object.fromEntries(backends.map((backend, i) => [backend.name, times[i] as number]));
}

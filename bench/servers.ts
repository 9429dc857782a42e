/** The auth servers the bench runs, each as its own process the way users run it. */
import {
  authServerCommand,
  type Command,
  freePort,
  newUser,
  nodeEntryCommand,
  type Service,
  signUp,
  startService,
} from "@authbridge/harness";

/** The auth server tuned for load from one address: production mode, sessions at sign-up, no 429s. */
export const OUR_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: "production",
  // Sign-up hands out a session at once, as stock Better Auth does by default.
  REQUIRE_EMAIL_VERIFICATION: "false",
  BETTER_AUTH_SECRET: "authbridge-bench-secret-0123456789-abcdef",
  // One client address sends everything here: the limits would answer 429 long before the server tires.
  RATE_LIMIT_MAX: "1000000000",
  RATE_LIMIT_SIGN_IN_MAX: "1000000000",
  CLIENT_TOKEN_RATE_LIMIT_MAX: "1000000000",
};

export interface BenchServer {
  readonly base: string;
  stop(): Promise<void>;
}

/** A Node server on a free (or chosen) loopback port, its BETTER_AUTH_URL its own address. */
async function startNodeServer(
  command: Command,
  env: Record<string, string>,
  readyPath: string,
  port?: number,
): Promise<BenchServer> {
  const chosen = port ?? (await freePort());
  const base = `http://127.0.0.1:${chosen}`;
  const service: Service = await startService({
    name: command.args.at(-1) ?? "server",
    ...command,
    env: { BETTER_AUTH_URL: base, ...env, HOST: "127.0.0.1", PORT: String(chosen) },
    readyUrl: `${base}${readyPath}`,
    deadlineMs: 30_000,
  });
  return { base, stop: () => service.stop() };
}

/** The authbridge auth server (`src/auth-server/src/main.ts`), ready at /readyz. */
export const startOurs = (env: Record<string, string>, port?: number) =>
  startNodeServer(authServerCommand(), { ...OUR_ENV, ...env }, "/readyz", port);

/** Stock Better Auth built the documented way (bench/stock-auth-server.ts). */
export const startStock = (env: Record<string, string>) =>
  startNodeServer(nodeEntryCommand("bench/stock-auth-server.ts"), env, "/api/auth/ok");

/** A new user's signed session token (stock Better Auth accepts it too). */
export async function sessionOn(base: string): Promise<string> {
  return (await signUp(base, newUser("bench"))).sessionToken;
}

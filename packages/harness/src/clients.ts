/**
 * Machine clients for tests: the `clients:*` CLI as an operator runs it, and a token from the
 * OAuth token endpoint as any client library asks for one.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { clientsCliCommand } from "./commands.js";

const run = promisify(execFile);

/** What `clients:create` and `clients:rotate-secret` print. */
export interface IssuedClient {
  client_id: string;
  client_secret: string;
  scope: string;
}

/** The result of one `npm run clients:<subcommand>`: exit code, parsed JSON lines, stderr. */
export interface CliResult {
  code: number;
  lines: unknown[];
  stdout: string;
  stderr: string;
}

/**
 * Runs the clients CLI against the auth server whose environment is `env` (its database).
 *
 * @example
 * const { lines: [client] } = await clientsCli(auth.cliEnv, "create", "--name", "reports", "--scope", "tasks:read:any");
 */
export async function clientsCli(
  env: Record<string, string>,
  subcommand: string,
  ...args: string[]
): Promise<CliResult> {
  const { command, args: argv, cwd } = clientsCliCommand(subcommand, args);
  const { PATH, HOME } = process.env;
  const result = await run(command, [...argv], { cwd, env: { PATH, HOME, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === "number" ? error.code : 1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
  const lines = result.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
  return { ...result, lines };
}

/** The token endpoint's answer, as sent. */
export interface TokenReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * Asks the token endpoint for a client credentials token, HTTP Basic by default.
 *
 * @example
 * const { body } = await requestClientToken(auth.url, client, { scope: "tasks:read:any" });
 */
export async function requestClientToken(
  authUrl: string,
  client: { client_id: string; client_secret: string },
  options: { scope?: string; resource?: string; method?: "basic" | "post"; extra?: Record<string, string> } = {},
): Promise<TokenReply> {
  const form = new URLSearchParams({ grant_type: "client_credentials", ...options.extra });
  if (options.scope !== undefined) form.set("scope", options.scope);
  if (options.resource !== undefined) form.set("resource", options.resource);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (options.method === "post") {
    form.set("client_id", client.client_id);
    form.set("client_secret", client.client_secret);
  } else {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
    headers.authorization = `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret)}`).toString("base64")}`;
  }
  const res = await fetch(`${authUrl}/api/auth/oauth2/token`, { method: "POST", headers, body: form.toString() });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A client credentials access token, or a thrown error naming the endpoint's answer.
 *
 * @example
 * const jwt = await clientToken(auth.url, client);
 */
export async function clientToken(
  authUrl: string,
  client: { client_id: string; client_secret: string },
  scope?: string,
): Promise<string> {
  const reply = await requestClientToken(authUrl, client, scope === undefined ? {} : { scope });
  if (reply.status !== 200) throw new Error(`token endpoint answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.access_token as string;
}

/**
 * Machine clients in the auth database (the `machineClient` table of plugin.ts), for the CLI, the
 * admin endpoints and the token endpoint. The database is the record: a revocation or a new
 * secret holds at the next token request, on every replica.
 */
import type { AuthContext } from "better-auth";
import type { Logger } from "../logger.js";
import { grantableScopes } from "./scopes.js";
import { hashSecret, newClientId, newClientSecret, secretMatches } from "./secrets.js";

export const CLIENT_MODEL = "machineClient";

/** A row of the `machineClient` table. */
export interface ClientRow {
  id: string;
  clientId: string;
  name: string;
  /** SHA-256 of the secret (secrets.ts); the secret itself is never stored. */
  secretHash: string;
  /** Space-separated granted scopes. */
  scope: string;
  createdAt: Date;
  secretRotatedAt?: Date | null;
  revokedAt?: Date | null;
}

/** A client as the CLI and the admin endpoints show it: never its secret or the hash. */
export interface ClientInfo {
  client_id: string;
  name: string;
  scope: string;
  created_at: string;
  secret_rotated_at: string | null;
  revoked_at: string | null;
}

/** The answer to a create or a rotation: the one time the secret is shown. */
export interface IssuedSecret {
  client_id: string;
  client_secret: string;
  scope: string;
}

export class ClientError extends Error {
  override readonly name = "ClientError";
  constructor(
    message: string,
    readonly reason: "not_found" | "revoked" | "invalid_name" | "invalid_scope",
  ) {
    super(message);
  }
}

type Adapter = AuthContext["adapter"];

/** Who makes a change, for its audit line: an admin's user id, or `cli`. */
export interface Actor {
  log: Logger;
  by: string;
}

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);

export function clientInfo(row: ClientRow): ClientInfo {
  return {
    client_id: row.clientId,
    name: row.name,
    scope: row.scope,
    created_at: iso(row.createdAt) as string,
    secret_rotated_at: iso(row.secretRotatedAt),
    revoked_at: iso(row.revokedAt),
  };
}

const MAX_NAME = 100;

function checkName(name: unknown): string {
  const trimmed = typeof name === "string" ? name.trim() : "";
  // Control characters would end up in log lines and the admin view.
  if (trimmed === "" || trimmed.length > MAX_NAME || /\p{Cc}/u.test(trimmed)) {
    throw new ClientError(`a client name is 1 to ${MAX_NAME} printable characters`, "invalid_name");
  }
  return trimmed;
}

function checkScope(scope: unknown): string {
  if (typeof scope !== "string") throw new ClientError("scope must be a string", "invalid_scope");
  try {
    return grantableScopes(scope).join(" ");
  } catch (error) {
    throw new ClientError((error as Error).message, "invalid_scope");
  }
}

export async function createClient(
  adapter: Adapter,
  input: { name: unknown; scope: unknown },
  { log, by }: Actor,
): Promise<IssuedSecret> {
  const name = checkName(input.name);
  const scope = checkScope(input.scope);
  const clientId = newClientId();
  const secret = newClientSecret();
  await adapter.create({
    model: CLIENT_MODEL,
    data: { clientId, name, scope, secretHash: hashSecret(secret), createdAt: new Date() },
  });
  log.info("audit", { event: "client.created", client_id: clientId, scope, by });
  return { client_id: clientId, client_secret: secret, scope };
}

export async function findClient(adapter: Adapter, clientId: string): Promise<ClientRow | null> {
  return adapter.findOne<ClientRow>({ model: CLIENT_MODEL, where: [{ field: "clientId", value: clientId }] });
}

export async function listClients(adapter: Adapter): Promise<ClientInfo[]> {
  const rows = await adapter.findMany<ClientRow>({
    model: CLIENT_MODEL,
    sortBy: { field: "createdAt", direction: "asc" },
  });
  return rows.map(clientInfo);
}

async function liveClient(adapter: Adapter, clientId: unknown): Promise<ClientRow> {
  const found = typeof clientId === "string" && clientId !== "" ? await findClient(adapter, clientId) : null;
  if (!found) throw new ClientError(`no client ${String(clientId)}`, "not_found");
  if (found.revokedAt) throw new ClientError(`client ${found.clientId} is revoked`, "revoked");
  return found;
}

/** A new secret; the old one stops working at once (the next token request is refused). */
export async function rotateSecret(adapter: Adapter, clientId: unknown, { log, by }: Actor): Promise<IssuedSecret> {
  const found = await liveClient(adapter, clientId);
  const secret = newClientSecret();
  await adapter.update({
    model: CLIENT_MODEL,
    where: [{ field: "clientId", value: found.clientId }],
    update: { secretHash: hashSecret(secret), secretRotatedAt: new Date() },
  });
  log.info("audit", { event: "client.secret_rotated", client_id: found.clientId, by });
  return { client_id: found.clientId, client_secret: secret, scope: found.scope };
}

/**
 * The client gets no new token from now on; tokens it already holds stay valid until `exp`
 * (`CLIENT_TOKEN_TTL_SECONDS`), as a user's do after a role change.
 */
export async function revokeClient(adapter: Adapter, clientId: unknown, { log, by }: Actor): Promise<ClientInfo> {
  const found = await liveClient(adapter, clientId);
  const revokedAt = new Date();
  await adapter.update({
    model: CLIENT_MODEL,
    where: [{ field: "clientId", value: found.clientId }],
    update: { revokedAt },
  });
  log.info("audit", { event: "client.revoked", client_id: found.clientId, by });
  return clientInfo({ ...found, revokedAt });
}

/** The live client whose id and secret these are, or `undefined` (unknown, revoked, wrong secret). */
export async function authenticateClient(
  adapter: Adapter,
  clientId: string,
  secret: string,
): Promise<ClientRow | undefined> {
  const found = await findClient(adapter, clientId);
  // Hash either way, so an unknown id answers in the time a known one does.
  const matches = secretMatches(secret, found?.secretHash ?? "0".repeat(64));
  if (!found || !matches || found.revokedAt) return undefined;
  return found;
}

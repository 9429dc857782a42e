/**
 * The admin view's machine clients: list, create, rotate and revoke through the auth server's
 * admin endpoints (the session cookie; Better Auth checks the origin and the server the admin
 * role). A new secret is shown once, in the page, and never kept.
 */
import { authClient } from "./auth.js";

/** What the view shows of a client (the endpoint also sends its dates). */
export interface ClientInfo {
  client_id: string;
  name: string;
  scope: string;
  revoked_at: string | null;
}

export type IssuedSecret = Pick<ClientInfo, "client_id" | "scope"> & { client_secret: string };

async function admin<T>(path: string, body?: Record<string, string>): Promise<T> {
  const { data, error } = await authClient.$fetch<T>(
    path,
    body === undefined ? { method: "GET" } : { method: "POST", body },
  );
  if (error) throw new Error(error.message ?? error.statusText);
  return data as T;
}

export const listClients = async () => (await admin<{ clients: ClientInfo[] }>("/admin/list-clients")).clients;
export const createClient = (name: string, scope: string) =>
  admin<IssuedSecret>("/admin/create-client", { name, scope });
export const rotateClientSecret = (clientId: string) =>
  admin<IssuedSecret>("/admin/rotate-client-secret", { client_id: clientId });
export const revokeClient = (clientId: string) => admin<ClientInfo>("/admin/revoke-client", { client_id: clientId });

const $ = (id: string) => document.getElementById(id) as HTMLElement;

/** Shows a secret this once: the only copy the page ever has. */
export function showSecret(issued: IssuedSecret): void {
  $("client-secret").hidden = false;
  $("client-secret-id").textContent = issued.client_id;
  $("client-secret-value").textContent = issued.client_secret;
}

export function renderClients(clients: ClientInfo[], act: (action: () => Promise<unknown>) => Promise<void>): void {
  $("clients").replaceChildren(
    ...clients.map((client) => {
      const row = document.createElement("tr");
      row.dataset.testid = "client";
      row.dataset.clientId = client.client_id;
      for (const text of [client.name, client.client_id, client.scope, client.revoked_at ? "revoked" : "active"]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      const actions = document.createElement("td");
      if (!client.revoked_at) {
        const rotate = document.createElement("button");
        rotate.type = "button";
        rotate.className = "secondary";
        rotate.textContent = "Rotate secret";
        rotate.addEventListener("click", () => act(async () => showSecret(await rotateClientSecret(client.client_id))));
        const revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "secondary";
        revoke.textContent = "Revoke";
        revoke.addEventListener("click", () => act(() => revokeClient(client.client_id)));
        actions.append(rotate, revoke);
      }
      row.append(actions);
      return row;
    }),
  );
}

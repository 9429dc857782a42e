/**
 * Machine clients as a Better Auth plugin: the `machineClient` table (so Better Auth's
 * migrations create it in SQLite and PostgreSQL alike) and the admin endpoints under
 * `/api/auth/admin/*`, behind a signed-in admin's session, Better Auth's origin check and the
 * audit hook (audit.ts logs every `/admin/*` call, refused ones included).
 */
import type { AuthContext, BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, sessionMiddleware } from "better-auth/api";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { ADMIN_ROLE, splitRoles } from "../roles.js";
import {
  type Actor,
  CLIENT_MODEL,
  ClientError,
  createClient,
  listClients,
  revokeClient,
  rotateSecret,
} from "./store.js";

type Adapter = AuthContext["adapter"];

const STATUS_OF: Record<ClientError["reason"], "NOT_FOUND" | "BAD_REQUEST" | "CONFLICT"> = {
  not_found: "NOT_FOUND",
  revoked: "CONFLICT",
  invalid_name: "BAD_REQUEST",
  invalid_scope: "BAD_REQUEST",
};

/** Better Auth's error shape (`{code, message}`) for a refused client operation. */
function refusal(error: unknown): never {
  if (error instanceof ClientError) {
    throw new APIError(STATUS_OF[error.reason], { code: error.reason.toUpperCase(), message: error.message });
  }
  throw error;
}

/** The signed-in admin's id; anyone else is refused (403) before anything is read or written. */
function adminOf(session: { user: { id: string; role?: unknown } }): string {
  if (!splitRoles(session.user.role).includes(ADMIN_ROLE)) {
    throw new APIError("FORBIDDEN", { code: "FORBIDDEN", message: "Managing clients requires the admin role" });
  }
  return session.user.id;
}

const clientIdBody = z.object({ client_id: z.string().min(1).max(200) });

/** An admin endpoint acting on one client (`{"client_id"}`); its answer is never cached. */
function clientAction<T extends object>(
  path: string,
  log: Logger,
  act: (adapter: Adapter, clientId: string, actor: Actor) => Promise<T>,
) {
  return createAuthEndpoint(path, { method: "POST", use: [sessionMiddleware], body: clientIdBody }, async (ctx) => {
    const actor = { log, by: adminOf(ctx.context.session) };
    const result = await act(ctx.context.adapter, ctx.body.client_id, actor).catch(refusal);
    ctx.setHeader("cache-control", "no-store");
    return ctx.json(result);
  });
}

export function machineClients(log: Logger) {
  return {
    id: "authbridge-machine-clients",
    schema: {
      [CLIENT_MODEL]: {
        fields: {
          clientId: { type: "string", required: true, unique: true },
          name: { type: "string", required: true },
          secretHash: { type: "string", required: true },
          scope: { type: "string", required: true },
          createdAt: { type: "date", required: true },
          secretRotatedAt: { type: "date", required: false },
          revokedAt: { type: "date", required: false },
        },
      },
    },
    endpoints: {
      listMachineClients: createAuthEndpoint(
        "/admin/list-clients",
        { method: "GET", use: [sessionMiddleware] },
        async (ctx) => {
          adminOf(ctx.context.session);
          return ctx.json({ clients: await listClients(ctx.context.adapter) });
        },
      ),
      createMachineClient: createAuthEndpoint(
        "/admin/create-client",
        {
          method: "POST",
          use: [sessionMiddleware],
          body: z.object({ name: z.string().max(200), scope: z.string().max(2000) }),
        },
        async (ctx) => {
          const actor = { log, by: adminOf(ctx.context.session) };
          const issued = await createClient(ctx.context.adapter, ctx.body, actor).catch(refusal);
          ctx.setHeader("cache-control", "no-store");
          return ctx.json(issued);
        },
      ),
      rotateMachineClientSecret: clientAction("/admin/rotate-client-secret", log, rotateSecret),
      revokeMachineClient: clientAction("/admin/revoke-client", log, revokeClient),
    },
  } satisfies BetterAuthPlugin;
}

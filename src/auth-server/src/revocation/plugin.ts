/**
 * Session revocation as a Better Auth plugin: the `revokedSession` table (Better Auth's
 * migrations create it in SQLite and PostgreSQL alike) and a hook on every session deletion.
 * Better Auth ends a session by deleting its row on every path: sign-out, `revoke-session(s)`,
 * a password change that signs the other sessions out, a reset, a ban, an admin's
 * `revoke-user-session(s)`, the end of an impersonation, the removal of a user. The hook runs
 * before the row goes, in the deletion's own transaction when it has one, so a failed write fails
 * the sign-out instead of leaving its tokens valid.
 */
import { type BetterAuthPlugin, getCurrentAdapter } from "better-auth";
import type { SessionIds } from "./session-id.js";

export const REVOKED_SESSION_MODEL = "revokedSession";

/** A row of the `revokedSession` table: one per `sid` of an ended session. */
export interface RevokedSessionRow {
  id: string;
  sid: string;
  revokedAt: Date;
}

export function sessionRevocation(ids: SessionIds) {
  return {
    id: "authbridge-session-revocation",
    schema: {
      [REVOKED_SESSION_MODEL]: {
        fields: {
          sid: { type: "string", required: true },
          revokedAt: { type: "date", required: true, index: true },
        },
      },
    },
    init(context) {
      return {
        options: {
          databaseHooks: {
            session: {
              delete: {
                before: async (session) => {
                  const revokedAt = new Date();
                  // The transaction's adapter: SQLite has one connection, which the deletion holds.
                  const adapter = await getCurrentAdapter(context.adapter);
                  for (const sid of ids.all(session.id)) {
                    await adapter.create({ model: REVOKED_SESSION_MODEL, data: { sid, revokedAt } });
                  }
                },
              },
            },
          },
        },
      };
    },
  } satisfies BetterAuthPlugin;
}

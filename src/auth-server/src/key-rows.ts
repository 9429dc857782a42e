/** Better Auth's `jwks` table as key management and the JWKS route read it: one row type, one reader. */
import type { AuthContext } from "better-auth";

export interface KeyRow {
  id: string;
  publicKey: string;
  createdAt: Date;
  alg?: string | null;
  crv?: string | null;
  /** Set when the key was retired: it stops signing, and leaves the JWKS after the grace period. */
  expiresAt?: Date | null;
}

export function listKeyRows(context: Pick<AuthContext, "adapter">): Promise<KeyRow[]> {
  return context.adapter.findMany<KeyRow>({ model: "jwks" });
}

/** Whether `key` may sign at `now` (not retired, or retired in the future). */
export const isLive = (key: Pick<KeyRow, "expiresAt">, now: Date) => !key.expiresAt || key.expiresAt > now;

/** Operator actions on accounts, shared by the CLI (`npm run users:set-role`) and the tests. */
import type { Auth } from "./auth.js";
import type { Logger } from "./logger.js";
import { parseRoleArgument, splitRoles } from "./roles.js";

export class UserNotFoundError extends Error {
  override readonly name = "UserNotFoundError";
}

/**
 * Gives the account with `email` the roles of `roleArgument` ("admin" or "admin,user"). Tokens
 * already issued keep their claims until they expire; the next token carries the new role.
 */
export async function setUserRole(
  auth: Auth,
  log: Logger,
  email: string,
  roleArgument: string,
): Promise<{ userId: string; previous: string[]; roles: string[] }> {
  const roles = parseRoleArgument(roleArgument);
  const ctx = await auth.$context;
  const found = await ctx.internalAdapter.findUserByEmail(email.trim().toLowerCase());
  if (!found) throw new UserNotFoundError(`no account with the email ${email}`);
  const previous = splitRoles((found.user as { role?: unknown }).role);
  await ctx.internalAdapter.updateUser(found.user.id, { role: roles.join(",") });
  log.info("audit", {
    event: "role.changed",
    user_id: found.user.id,
    role: roles.join(","),
    previous: previous.join(","),
    by: "cli",
  });
  return { userId: found.user.id, previous, roles };
}

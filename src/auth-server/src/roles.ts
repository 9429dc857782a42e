/**
 * Roles and the permissions they grant: the one map the auth server reads. A token carries the
 * user's `role` (as Better Auth's admin plugin stores it: one role, or a comma list) and the
 * `permissions` its roles grant, so services check either without a call back here. Edit this
 * map to add a role; `users:set-role` refuses roles it does not list.
 */
import { splitList } from "./list.js";
export const ROLE_PERMISSIONS = {
  user: [],
  admin: ["tasks:read:any", "tasks:write:any", "users:list"],
} as const satisfies Record<string, readonly string[]>;

export type Role = keyof typeof ROLE_PERMISSIONS;

/** Every role the server knows, in the map's order. */
export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[];

/**
 * Every permission some role grants, sorted: also the scopes a machine client may be given
 * (clients/scopes.ts), so a route's permission admits an admin person or a client alike.
 */
export const PERMISSIONS: readonly string[] = Object.freeze(
  [...new Set(Object.values(ROLE_PERMISSIONS).flat() as string[])].sort(),
);

/** The role new accounts get (the admin plugin's default). */
export const DEFAULT_ROLE: Role = "user";

/** The role `ADMIN_EMAILS` grants once the address is verified. */
export const ADMIN_ROLE: Role = "admin";

const isRole = (name: string): name is Role => Object.hasOwn(ROLE_PERMISSIONS, name);

/** The roles of a stored `role` value ("admin,user" → ["admin", "user"]), unknown names kept. */
export function splitRoles(stored: unknown): string[] {
  if (typeof stored !== "string") return [];
  return [...new Set(splitList(stored))];
}

/** Every permission the roles grant, sorted; a role missing from the map grants nothing. */
export function permissionsFor(roles: readonly string[]): string[] {
  const granted = new Set<string>();
  for (const role of roles) if (isRole(role)) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  return [...granted].sort();
}

/**
 * Parses an operator's role argument ("admin" or "admin,user"); throws naming the unknown role.
 */
export function parseRoleArgument(argument: string): Role[] {
  const roles = splitRoles(argument);
  if (roles.length === 0) throw new Error(`no role given; known roles: ${ROLES.join(", ")}`);
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0) throw new Error(`unknown role ${unknown.join(", ")}; known roles: ${ROLES.join(", ")}`);
  return roles as Role[];
}

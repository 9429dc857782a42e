/**
 * Role and permission checks on a verified principal (CONTRACT §3): the contract's 403
 * `insufficient_role` / `insufficient_permission`. They read the principal only, so a check
 * never costs a JWKS fetch or a second verification. python-backend's `access.py` is the twin.
 */
import { AuthError } from "./errors.js";
import type { Principal } from "./principal.js";

/**
 * Whether the token's `role` claim lists `role`.
 *
 * @example
 * if (hasRole(c.var.user, "admin")) return c.json(await everyonesTasks());
 */
export function hasRole(user: Principal, role: string): boolean {
  return user.roles.includes(role);
}

/**
 * Whether the caller holds `permission`: a user by the token's `permissions` claim, a machine
 * client by its `scope` (scopes are the role map's permission names).
 *
 * @example
 * const scope = hasPermission(c.var.user, "tasks:read:any") ? "all" : "own";
 */
export function hasPermission(user: Principal, permission: string): boolean {
  return user.kind === "client" ? user.scopes.includes(permission) : user.permissions.includes(permission);
}

/**
 * Throws `user_required` unless the caller is a person (a user's token, not a machine client's):
 * what `requireUser` does after authenticating.
 *
 * @example
 * checkUser(c.var.user); // in a handler reached through requireCaller
 */
export function checkUser(caller: Principal): void {
  if (caller.kind === "client") throw new AuthError("user_required");
}

/**
 * Throws `insufficient_role` unless the user has at least one of `roles` (a machine client has
 * none).
 *
 * @example
 * checkRole(c.var.user, ["admin"]);
 */
export function checkRole(user: Principal, roles: readonly string[]): void {
  if (roles.length === 0) throw new TypeError("authbridge: name at least one role");
  if (!roles.some((role) => hasRole(user, role))) throw new AuthError("insufficient_role");
}

/**
 * Throws `insufficient_permission` unless the caller (a user or a client) has every one of
 * `permissions`.
 *
 * @example
 * checkPermission(c.var.user, ["tasks:read:any"]);
 */
export function checkPermission(user: Principal, permissions: readonly string[]): void {
  if (permissions.length === 0) throw new TypeError("authbridge: name at least one permission");
  if (!permissions.every((permission) => hasPermission(user, permission))) {
    throw new AuthError("insufficient_permission");
  }
}

/**
 * Hono edge: `requireUser` / `optionalUser` middleware that put a typed `c.var.user` on the
 * context, `requireRole` / `requirePermission` after them, and `requireOwner` for the
 * contract's 403. Responses are exactly CONTRACT §3 (python-backend's `authbridge/fastapi.py`
 * is the FastAPI twin).
 */
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { checkPermission, checkRole } from "./access.js";
import { AuthError } from "./errors.js";
import type { Principal } from "./principal.js";
import type { Verifier } from "./verify.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `requireUser` (always) and `optionalUser` (when a valid token was sent). */
    user: Principal;
  }
}

/**
 * Refuses the request with the contract's 401 / 503 unless it carries a valid token.
 *
 * @example
 * app.use("/api/*", requireUser(verifier));
 * app.get("/api/me", (c) => c.json({ id: c.var.user.id }));
 */
export function requireUser(verifier: Verifier): MiddlewareHandler {
  if (!verifier || typeof verifier.authenticate !== "function") {
    throw new TypeError("authbridge: requireUser needs a verifier from createVerifier()");
  }
  return async (c, next) => {
    const refused = await authenticateInto(c, verifier);
    if (refused) return refused;
    await next();
  };
}

/** Puts the verified caller on the context, or returns the contract's error response. */
async function authenticateInto(c: Context, verifier: Verifier): Promise<Response | undefined> {
  try {
    c.set("user", await verifier.authenticate(c.req.raw.headers));
    return undefined;
  } catch (error) {
    if (error instanceof AuthError) return error.toResponse();
    throw error;
  }
}

/** Lets a request without an Authorization header through; a present but bad token is a 401. */
export function optionalUser(verifier: Verifier): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.header("authorization") !== undefined) {
      const refused = await authenticateInto(c, verifier);
      if (refused) return refused;
    }
    await next();
  };
}

/**
 * Refuses the request with the contract's 403 `insufficient_role` unless the user (put there by
 * `requireUser`) has at least one of `roles`. Without a user it is the contract's 401: it fails
 * closed when mounted without `requireUser`, or after `optionalUser` on a request without a token.
 *
 * @example
 * app.use("/api/admin/*", requireUser(verifier), requireRole("admin"));
 */
export function requireRole(...roles: string[]): MiddlewareHandler {
  if (roles.length === 0) throw new TypeError("authbridge: requireRole needs at least one role");
  return accessCheck((user) => checkRole(user, roles));
}

/**
 * Refuses the request with the contract's 403 `insufficient_permission` unless the user has
 * every one of `permissions` (the token's `permissions` claim).
 *
 * @example
 * app.delete("/api/admin/tasks/:id", requirePermission("tasks:write:any"), handler);
 */
export function requirePermission(...permissions: string[]): MiddlewareHandler {
  if (permissions.length === 0) throw new TypeError("authbridge: requirePermission needs at least one permission");
  return accessCheck((user) => checkPermission(user, permissions));
}

function accessCheck(check: (user: Principal) => void): MiddlewareHandler {
  return async (c, next) => {
    try {
      const user = c.var.user;
      if (!user) throw new AuthError("missing_token");
      check(user);
    } catch (error) {
      if (error instanceof AuthError) return error.toResponse();
      throw error;
    }
    await next();
  };
}

/**
 * Throws the contract's 403 unless the caller is `ownerId` (answered by {@link authErrorHandler}).
 * The caller is a principal or the context that holds it, so the argument order is Python's
 * `require_owner(user, owner_id)`.
 *
 * @example
 * requireOwner(c.var.user, task.user_id);   // or requireOwner(c, task.user_id)
 */
export function requireOwner(user: Principal | Context, ownerId: string): void {
  const principal = "id" in user ? user : (user as Context).var.user;
  if (principal?.id !== ownerId) throw new AuthError("forbidden");
}

/**
 * `app.onError(authErrorHandler())`: an `AuthError` thrown by a handler becomes its contract
 * response; anything else goes to `fallback` (default: a 500 without details).
 */
export function authErrorHandler(fallback?: ErrorHandler): ErrorHandler {
  return (error, c) => {
    if (error instanceof AuthError) return error.toResponse();
    if (fallback) return fallback(error, c);
    return c.json({ detail: "Internal server error" }, 500);
  };
}

export { checkPermission, checkRole, hasPermission, hasRole } from "./access.js";
export { AuthError } from "./errors.js";
export type { Principal } from "./principal.js";

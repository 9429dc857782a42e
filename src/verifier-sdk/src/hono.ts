/**
 * Hono edge: `requireUser` / `optionalUser` middleware that put a typed `c.var.user` on the
 * context, `requireRole` / `requirePermission` / `requireMfa` / `requireRecentSignIn` after
 * them, and `requireOwner` for the
 * contract's 403. Responses are exactly CONTRACT §3 (python-backend's `authbridge.fastapi` is
 * the FastAPI twin). The access helpers and `AuthError` have one import path: the package root.
 */
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { checkPermission, checkRole, checkUser } from "./access.js";
import { discardBody } from "./body-limit.js";
import { AuthError } from "./errors.js";
import type { Principal } from "./principal.js";
import { checkAuthentication, checkedMaxAge } from "./step-up.js";
import type { Verifier } from "./verify.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by `requireUser` (always) and `optionalUser` (when a valid token was sent). */
    user: Principal;
  }
}

/**
 * Another way to authenticate a request (an API key header, a signed cookie): the caller it
 * proves, `undefined` when the request does not carry that credential, or a thrown `AuthError`
 * when it carries it and it is wrong. Python's `OtherCredential` is the same.
 *
 * @example
 * const apiKey: OtherCredential = async (c) => {
 *   const key = c.req.header("x-api-key");
 *   return key ? principalFromClaims({ sub: await ownerOf(key) }) : undefined;
 * };
 */
export type OtherCredential = (c: Context) => Promise<Principal | undefined>;

/**
 * What `requireUser` takes besides the verifier.
 *
 * @example
 * requireUser(verifier, { otherCredentials: [apiKey] });
 */
export interface RequireUserOptions {
  /**
   * Admit machine clients (client credentials tokens) too: the route is for a person or a
   * client, and its `requirePermission` checks a client's scopes. Off: a client token is the
   * contract's 403 `user_required` (`requireCaller` is the same with this on).
   * @default false
   */
  allowClients?: boolean;
  /**
   * Asked in order when the request has no `Authorization` header; the first principal wins.
   * A bearer token, when present, decides alone. None of them: 401 `missing_token`.
   * @default []
   */
  otherCredentials?: readonly OtherCredential[];
}

/**
 * Refuses the request with the contract's 401 / 503 unless it carries a valid token (or, with
 * `otherCredentials`, another credential one of them accepts). Runs before any handler reads the body.
 *
 * @example
 * app.use("/api/*", requireUser(verifier));
 * app.get("/api/me", (c) => c.json({ id: c.var.user.id }));
 * // Also Better Auth API keys in X-API-Key (`lookUpKey` is yours):
 * const apiKey: OtherCredential = async (c) => {
 *   const key = c.req.header("x-api-key");
 *   if (key === undefined) return undefined;
 *   const owner = await lookUpKey(key);
 *   if (!owner) throw new AuthError(ErrorCode.INVALID_SIGNATURE);
 *   return principalFromClaims({ sub: owner });
 * };
 * app.use("/api/*", requireUser(verifier, { otherCredentials: [apiKey] }));
 */
export function requireUser(verifier: Verifier, options: RequireUserOptions = {}): MiddlewareHandler {
  if (!verifier || typeof verifier.authenticate !== "function") {
    throw new TypeError("authbridge: requireUser needs a verifier from createVerifier()");
  }
  const others = [...(options.otherCredentials ?? [])];
  if (others.some((credential) => typeof credential !== "function")) {
    throw new TypeError("authbridge: requireUser's otherCredentials must be functions");
  }
  const allowClients = options.allowClients === true;
  return async (c, next) => {
    const refused = await authenticateInto(c, verifier, others, allowClients);
    if (refused) {
      // Decided before the body; discarded before the answer, so that the client reads it.
      await discardBody(c);
      return refused;
    }
    await next();
  };
}

/**
 * `requireUser` that admits machine clients too (Python: `get_current_caller`): for routes a
 * person or a service may call, such as a reporting job reading every task with its scope.
 *
 * @example
 * app.use("/api/admin/*", requireCaller(verifier));
 * app.get("/api/admin/tasks", requirePermission("tasks:read:any"), handler); // admin user or client with the scope
 */
export function requireCaller(
  verifier: Verifier,
  options: Omit<RequireUserOptions, "allowClients"> = {},
): MiddlewareHandler {
  return requireUser(verifier, { ...options, allowClients: true });
}

/** Puts the verified caller on the context, or returns the contract's error response. */
async function authenticateInto(
  c: Context,
  verifier: Verifier,
  others: readonly OtherCredential[] = [],
  allowClients = false,
): Promise<Response | undefined> {
  try {
    const principal = await authenticate(c, verifier, others);
    // A route for people answers a client's token with one code, before any body is read.
    if (!allowClients) checkUser(principal);
    c.set("user", principal);
    return undefined;
  } catch (error) {
    if (error instanceof AuthError) return error.toResponse();
    throw error;
  }
}

async function authenticate(c: Context, verifier: Verifier, others: readonly OtherCredential[]): Promise<Principal> {
  if (others.length === 0 || c.req.header("authorization") !== undefined) {
    return verifier.authenticate(c.req.raw.headers);
  }
  for (const credential of others) {
    const principal = await credential(c);
    if (principal !== undefined) return principal;
  }
  throw new AuthError("missing_token");
}

/**
 * Lets a request without an Authorization header through; a present but bad token is a 401, a
 * machine client's token the 403 `user_required`.
 *
 * @example
 * app.get("/api/greeting", optionalUser(verifier), (c) => c.text(c.var.user ? `hi ${c.var.user.name}` : "hi"));
 */
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
 * What `requireRole` takes after the roles.
 *
 * @example
 * requireRole("admin", { clients: "admit" });
 */
export interface RequireRoleOptions {
  /**
   * `"admit"`: a machine client passes this check, to be judged by the route's
   * `requirePermission` (its scopes), which must follow. `"refuse"`: a client has no role, so it
   * gets `insufficient_role`.
   * @default "refuse"
   */
  clients?: "admit" | "refuse";
}

/**
 * Refuses the request with the contract's 403 `insufficient_role` unless the user (put there by
 * `requireUser`) has at least one of `roles`. Without a user it is the contract's 401: it fails
 * closed when mounted without `requireUser`, or after `optionalUser` on a request without a token.
 *
 * @example
 * app.use("/api/admin/*", requireUser(verifier), requireRole("admin"));
 * // People need the role; clients (after requireCaller) go on to the route's permission:
 * app.use("/api/reports/*", requireCaller(verifier), requireRole("admin", { clients: "admit" }));
 */
export function requireRole(...args: [...string[], RequireRoleOptions] | string[]): MiddlewareHandler {
  const all: readonly (string | RequireRoleOptions)[] = args;
  const last = all.at(-1);
  const options: RequireRoleOptions = typeof last === "object" ? last : {};
  const roles = all.filter((arg): arg is string => typeof arg === "string");
  if (roles.length === 0) throw new TypeError("authbridge: requireRole needs at least one role");
  const admitClients = options.clients === "admit";
  return accessCheck((user) => {
    if (admitClients && user.kind === "client") return;
    checkRole(user, roles);
  });
}

/**
 * Refuses the request with the contract's 403 `insufficient_permission` unless the caller has
 * every one of `permissions`: a user by the token's `permissions` claim, a machine client (after
 * `requireCaller`) by its `scope`.
 *
 * @example
 * app.delete("/api/admin/tasks/:id", requirePermission("tasks:write:any"), handler);
 */
export function requirePermission(...permissions: string[]): MiddlewareHandler {
  if (permissions.length === 0) throw new TypeError("authbridge: requirePermission needs at least one permission");
  return accessCheck((user) => checkPermission(user, permissions));
}

/**
 * What `requireMfa` and `requireRecentSignIn` take.
 *
 * @example
 * requireMfa({ maxAge: 900, clients: "admit" });
 */
export interface StepUpOptions {
  /** Also a sign-in at most this many seconds old (`auth_time`). */
  maxAge?: number;
  /**
   * `"admit"`: a machine client passes (it has no sign-in to step up; its scopes decide, as on
   * the task API's admin routes). `"refuse"`: a client is `user_required`.
   * @default "refuse"
   */
  clients?: "admit" | "refuse";
}

/**
 * Refuses the request with the contract's 401 `insufficient_user_authentication` (RFC 9470,
 * `acr_values` naming MFA) unless the user signed in with a second factor (`amr` holds
 * `mfa`) and, with `maxAge`, within that many seconds. After `requireUser`.
 *
 * @example
 * app.delete("/api/account", requireUser(verifier), requireMfa(), handler);
 */
export function requireMfa(options: StepUpOptions = {}): MiddlewareHandler {
  return stepUpCheck({ mfa: true, maxAge: options.maxAge }, options.clients);
}

/**
 * Refuses the request with the contract's 401 `insufficient_user_authentication` (RFC 9470,
 * `max_age`) unless the user signed in at most `maxAge` seconds ago. After `requireUser`.
 *
 * @example
 * app.post("/api/account/email", requireUser(verifier), requireRecentSignIn(300), handler);
 */
export function requireRecentSignIn(maxAge: number, options: Omit<StepUpOptions, "maxAge"> = {}): MiddlewareHandler {
  return stepUpCheck({ maxAge }, options.clients);
}

function stepUpCheck(
  requirement: { mfa?: boolean; maxAge?: number | undefined },
  clients = "refuse",
): MiddlewareHandler {
  if (clients !== "admit" && clients !== "refuse") throw new TypeError('authbridge: clients is "admit" or "refuse"');
  // Checked once here, so a wrong maxAge fails when the app is built, not per request.
  checkedMaxAge(requirement.maxAge);
  return accessCheck((user) => {
    if (clients === "admit" && user.kind === "client") return;
    checkAuthentication(user, requirement);
  });
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
 *
 * @example
 * app.onError(authErrorHandler());
 */
export function authErrorHandler(fallback?: ErrorHandler): ErrorHandler {
  return (error, c) => {
    if (error instanceof AuthError) return error.toResponse();
    if (fallback) return fallback(error, c);
    return c.json({ detail: "Internal server error" }, 500);
  };
}

export { type BodyLimitOptions, bodyLimit } from "./body-limit.js";

/** The audit trail: one log line per account event, with ids and outcomes only. */
import { APIError, createAuthMiddleware } from "better-auth/api";
import { CLIENT_IP_HEADER } from "./client-ip.js";
import type { Logger } from "./logger.js";

/** The event each endpoint logs when it succeeds, and when it is refused. */
export const AUDITED: Record<string, { ok: string; failed?: string }> = {
  "/sign-up/email": { ok: "sign_up", failed: "sign_up.failure" },
  "/sign-in/email": { ok: "sign_in.success", failed: "sign_in.failure" },
  "/token": { ok: "token.issued" },
  "/get-session": { ok: "token.issued" },
  "/change-password": { ok: "password.changed", failed: "password.change_failure" },
  "/request-password-reset": { ok: "password_reset.requested" },
  "/reset-password": { ok: "password_reset.completed", failed: "password_reset.failure" },
  "/verify-email": { ok: "email.verified", failed: "email.verification_failure" },
  "/revoke-session": { ok: "session.revoked" },
  "/revoke-sessions": { ok: "session.revoked" },
  "/revoke-other-sessions": { ok: "session.revoked" },
  "/sign-out": { ok: "sign_out" },
};

/** The code an endpoint's refusal carries (Better Auth's `body.code`), else its status. */
export function reasonOf(error: unknown): string {
  const { body, status } = error as { body?: { code?: unknown }; status?: unknown };
  return String(body?.code ?? status ?? "error");
}

/** Events that only happen to a signed-in user: without a session the call did nothing. */
const SESSION_EVENTS = new Set([
  "/sign-up/email",
  "/sign-in/email",
  "/token",
  "/get-session",
  "/change-password",
  "/sign-out",
]);

/** The HTTP status of what an endpoint threw: Better Auth's errors and better-call's carry one. */
export function statusOf(error: unknown): number {
  if (error instanceof APIError) return error.statusCode;
  const status =
    (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  // Better Auth's and better-call's APIError are two classes; both carry a numeric status.
  return typeof status === "number" && status >= 100 && status < 600 ? status : 500;
}

/** Admin plugin endpoints: every call is an audit event, refused ones included. */
function adminEvents(path: string): { ok: string; failed: string } | undefined {
  if (!path.startsWith("/admin/")) return undefined;
  const action = path
    .slice("/admin/".length)
    .replace(/[^a-z-]/g, "")
    .replace(/-/g, "_");
  return { ok: `admin.${action}`, failed: `admin.${action}.failure` };
}

/** The account an admin call acts on, from its body or query (ids only). */
function targetOf(ctx: { body?: unknown; query?: unknown }): string | undefined {
  for (const source of [ctx.body, ctx.query]) {
    if (source && typeof source === "object") {
      const { userId, id } = source as { userId?: unknown; id?: unknown };
      if (typeof userId === "string") return userId;
      if (typeof id === "string") return id;
    }
  }
  return undefined;
}

/** Audit events carry ids and outcomes only, never a password, session token or JWT. */
export function auditHook(log: Logger) {
  return createAuthMiddleware(async (ctx) => {
    const adminCall = adminEvents(ctx.path);
    const events = AUDITED[ctx.path] ?? adminCall;
    if (!events) return;
    const returned = ctx.context.returned;
    const ip = ctx.request?.headers.get(CLIENT_IP_HEADER) ?? undefined;
    const target = adminCall ? { target_id: targetOf(ctx) } : {};
    // A redirect (a verified email going back to the app) is thrown as an APIError too.
    const failed = (returned instanceof APIError || returned instanceof Error) && statusOf(returned) >= 400;
    if (failed) {
      if (events.failed) {
        log.warn("audit", {
          event: events.failed,
          status: statusOf(returned),
          reason: reasonOf(returned),
          user_id: adminCall ? ctx.context.session?.user.id : undefined,
          ...target,
          ip,
        });
      }
      return;
    }
    const session = ctx.context.newSession ?? ctx.context.session;
    // A password reset or an email verification happens without a session; a token needs one.
    if (!session && SESSION_EVENTS.has(ctx.path)) return;
    const role = ctx.path === "/admin/set-role" ? { role: roleOf(ctx.body) } : {};
    log.info("audit", { event: events.ok, user_id: session?.user.id, ...target, ...role, ip });
  });
}

function roleOf(body: unknown): string | undefined {
  const role = (body as { role?: unknown } | undefined)?.role;
  return Array.isArray(role) ? role.join(",") : typeof role === "string" ? role : undefined;
}

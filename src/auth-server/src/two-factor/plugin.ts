/**
 * Our half of two-factor authentication, beside Better Auth's `twoFactor` plugin (whose
 * endpoints and fields frontends use unchanged): how each session was authenticated (`amr`,
 * `authTime`, amr.ts), a per-account limit on every `/two-factor/*` call, single use of a TOTP
 * code (replay.ts), the lock applied to signed-in attempts too, trusted devices off, audit
 * lines and mail (events.ts), and the step-up on admin operations (step-up.ts).
 */
import type { BetterAuthPlugin, GenericEndpointContext } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { reasonOf, statusOf } from "../audit.js";
import { CLIENT_IP_HEADER } from "../client-ip.js";
import { consume, type RateLimits } from "../rate-limit.js";
import {
  accountOf,
  isLocked,
  recordFailure,
  type SecondFactorAccount,
  type TwoFactorRow,
  twoFactorRowOf,
} from "./account.js";
import { authenticationOf, REPLACING_PATHS, SECOND_FACTOR_PATHS, upgraded } from "./amr.js";
import { type EventSink, isMailed, recordEvent, type SecondFactorEvent } from "./events.js";
import { claimTotpStep } from "./replay.js";
import { adminStepUp } from "./step-up.js";

export interface SecondFactorDeps extends EventSink {
  limits: RateLimits;
  mfaRequiredRoles: readonly string[];
}

interface RequestState {
  account: SecondFactorAccount;
  row: TwoFactorRow | null;
}

/** What the before hook read, for the after hook of the same request. */
const states = new WeakMap<object, RequestState>();
/** The one object both hooks of a request see (the request; its headers for a server-side call). */
const requestKey = (ctx: GenericEndpointContext): object => ctx.request ?? ctx.headers ?? ctx.context;

const INVALID_CODE = { code: "INVALID_CODE", message: "Invalid code" };
const LOCKED = {
  code: "ACCOUNT_TEMPORARILY_LOCKED",
  message: "Too many failed verification attempts. Your account is temporarily locked. Please try again later.",
};

const isTwoFactorPath = (ctx: { path?: string }) => (ctx.path ?? "").startsWith("/two-factor/");

/** The status of what the endpoint threw; `undefined` when it answered. */
const refusalStatus = (returned: unknown) => (returned instanceof Error ? statusOf(returned) : undefined);

export function secondFactor(deps: SecondFactorDeps) {
  const ipOf = (ctx: GenericEndpointContext) => ctx.request?.headers.get(CLIENT_IP_HEADER) ?? undefined;
  // The owner's address is read only for an event that mails them.
  const emailOf = async (ctx: GenericEndpointContext, name: SecondFactorEvent, userId: string) =>
    isMailed(name) ? (await ctx.context.internalAdapter.findUserById(userId))?.email : undefined;
  const event = async (ctx: GenericEndpointContext, name: SecondFactorEvent, userId: string, extra = {}) =>
    recordEvent(deps, name, { user_id: userId, ip: ipOf(ctx), email: await emailOf(ctx, name, userId), ...extra });

  const before = createAuthMiddleware(async (ctx) => {
    const account = await accountOf(ctx);
    // Without an account the plugin answers (401); the per-IP limit in front still counted it.
    if (!account) return;
    const row = await twoFactorRowOf(ctx, account.userId);
    states.set(requestKey(ctx), { account, row });
    const retry = await consume(deps.limits.secondFactorAccount, account.userId);
    if (retry !== undefined) {
      recordEvent(deps, "two_factor.refused", {
        user_id: account.userId,
        ip: ipOf(ctx),
        status: 429,
        reason: "rate_limited",
      });
      throw new APIError(
        "TOO_MANY_REQUESTS",
        { code: "TOO_MANY_REQUESTS", message: "Too many requests. Please try again later." },
        { "Retry-After": retry, "X-Retry-After": retry },
      );
    }
    const verifying = ctx.path in SECOND_FACTOR_PATHS;
    if (verifying && account.session && isLocked(row)) throw new APIError("TOO_MANY_REQUESTS", LOCKED);
    const code = (ctx.body as { code?: unknown } | undefined)?.code;
    if (ctx.path === "/two-factor/verify-totp" && row && typeof code === "string") {
      if ((await claimTotpStep(ctx, row, code)) === "replayed") {
        await recordFailure(ctx, row);
        await event(ctx, "two_factor.code_replayed", account.userId, { status: 401 });
        throw new APIError("UNAUTHORIZED", INVALID_CODE);
      }
    }
    // Trusted devices skip the second factor for 30 days on a cookie: not offered (off).
    const body = ctx.body as Record<string, unknown> | undefined;
    if (body && "trustDevice" in body) return { context: { body: { ...body, trustDevice: false } } };
    return;
  });

  const after = createAuthMiddleware(async (ctx) => {
    const state = states.get(requestKey(ctx));
    if (!state) return;
    const { account, row } = state;
    const status = refusalStatus(ctx.context.returned);
    const verifying = ctx.path in SECOND_FACTOR_PATHS;
    if (status !== undefined && status >= 400) {
      if (verifying && status === 401) {
        // The plugin counts a failed sign-in attempt itself; a signed-in one is ours to count.
        if (account.session && row) await recordFailure(ctx, row);
        await event(ctx, "two_factor.code_failed", account.userId, { status });
        const now = await twoFactorRowOf(ctx, account.userId);
        if (!isLocked(row) && isLocked(now)) await event(ctx, "two_factor.locked", account.userId);
      } else {
        recordEvent(deps, "two_factor.refused", {
          user_id: account.userId,
          ip: ipOf(ctx),
          status,
          reason: reasonOf(ctx.context.returned),
        });
      }
      return;
    }
    if (status !== undefined) return;
    if (verifying) return completed(ctx, account, row);
    const done: Record<string, SecondFactorEvent> = {
      "/two-factor/enable": "two_factor.enrolment_started",
      "/two-factor/disable": "two_factor.disabled",
      "/two-factor/generate-backup-codes": "two_factor.backup_codes_regenerated",
    };
    const name = done[ctx.path];
    if (name) await event(ctx, name, account.userId);
  });

  /** A code was accepted: which event it was, and a signed-in session's `amr` grows. */
  async function completed(ctx: GenericEndpointContext, account: SecondFactorAccount, row: TwoFactorRow | null) {
    const backup = ctx.path === "/two-factor/verify-backup-code";
    const name: SecondFactorEvent = backup
      ? "two_factor.backup_code_used"
      : row?.verified !== true
        ? "two_factor.enabled"
        : account.session
          ? "two_factor.step_up"
          : "two_factor.verified";
    await event(ctx, name, account.userId);
    // A sign-in completed here got a new session (the create hook wrote its amr); a session
    // that stays is upgraded in place, the one way a session's amr ever grows.
    if (account.session && !ctx.context.newSession) {
      const added = SECOND_FACTOR_PATHS[ctx.path] ?? [];
      await ctx.context.internalAdapter.updateSession(account.session.token, {
        amr: upgraded(account.session.amr, added),
      });
    }
  }

  return {
    id: "authbridge-second-factor",
    schema: {
      session: {
        fields: {
          amr: { type: "string", required: false, input: false },
          authTime: { type: "number", required: false, input: false },
        },
      },
      twoFactor: {
        fields: { lastUsedStep: { type: "number", required: false, defaultValue: 0, input: false, returned: false } },
      },
    },
    init: () => ({
      options: {
        databaseHooks: {
          session: {
            create: {
              before: async (session: Record<string, unknown>, ctx: GenericEndpointContext | null) => {
                const current = ctx?.context.session?.session as Record<string, unknown> | undefined;
                const continued =
                  ctx && REPLACING_PATHS.has(ctx.path) && current && current.userId === session.userId
                    ? current
                    : session;
                const record = authenticationOf(ctx?.path, continued, Math.floor(Date.now() / 1000));
                return { data: { ...session, ...record } };
              },
            },
          },
        },
      },
    }),
    hooks: {
      before: [{ matcher: isTwoFactorPath, handler: before }, adminStepUp(deps.mfaRequiredRoles)],
      after: [{ matcher: isTwoFactorPath, handler: after }],
    },
  } satisfies BetterAuthPlugin;
}

/**
 * A TOTP code is good once (RFC 6238 §5.2): the time step a code matched is claimed on the
 * account's row with one conditional update (`lastUsedStep` < step), so of two requests with
 * the same code, or a code older than the last one used, only the first passes, across replicas.
 * The plugin then verifies the code as it always does.
 */

import { base32 } from "@better-auth/utils/base32";
import { createOTP } from "@better-auth/utils/otp";
import type { GenericEndpointContext } from "better-auth";
import { symmetricDecrypt } from "better-auth/crypto";
import { TWO_FACTOR_MODEL, type TwoFactorRow } from "./account.js";

/** The plugin's TOTP parameters (its defaults, passed to it explicitly in auth.ts). */
export const TOTP = { digits: 6, period: 30, window: 1 } as const;

/** The plugin's spelling of an imported secret (`base32:<secret>`). */
const BASE32_PREFIX = "base32:";

async function totpSecret(ctx: GenericEndpointContext, stored: string): Promise<string | Uint8Array> {
  const secret = await symmetricDecrypt({ key: ctx.context.secretConfig, data: stored });
  return secret.startsWith(BASE32_PREFIX) ? base32.decode(secret.slice(BASE32_PREFIX.length).toUpperCase()) : secret;
}

/** The time step `code` belongs to within the window the plugin accepts, if any. */
async function stepOf(secret: string | Uint8Array, code: string, nowMs: number): Promise<number | undefined> {
  const otp = createOTP(secret, { digits: TOTP.digits, period: TOTP.period });
  const current = Math.floor(nowMs / 1000 / TOTP.period);
  let matched: number | undefined;
  // Every candidate is computed, so the time taken does not say which step matched.
  for (let offset = -TOTP.window; offset <= TOTP.window; offset++) {
    const candidate = await otp.hotp(current + offset);
    if (candidate.length === code.length && candidate === code) matched = current + offset;
  }
  return matched;
}

export type StepClaim = "claimed" | "replayed" | "no_match";

/** Claims the step of `code` for `row`: `replayed` when that step (or a later one) was used. */
export async function claimTotpStep(ctx: GenericEndpointContext, row: TwoFactorRow, code: string): Promise<StepClaim> {
  const step = await stepOf(await totpSecret(ctx, row.secret), code, Date.now());
  if (step === undefined) return "no_match";
  const claimed = await ctx.context.adapter.incrementOne({
    model: TWO_FACTOR_MODEL,
    where: [
      { field: "id", value: row.id },
      { field: "lastUsedStep", operator: "lt", value: step },
    ],
    increment: {},
    set: { lastUsedStep: step },
  });
  return claimed ? "claimed" : "replayed";
}

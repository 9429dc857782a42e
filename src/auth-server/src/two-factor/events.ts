/**
 * What a second-factor request leaves behind: one audit line (ids and outcomes only, never a
 * code, a secret or a backup code) and, where the owner must know at once, a mail.
 */
import type { Logger } from "../logger.js";
import type { Mailer } from "../mailer.js";

export type SecondFactorEvent =
  | "two_factor.enrolment_started"
  | "two_factor.enabled"
  | "two_factor.disabled"
  | "two_factor.verified"
  | "two_factor.step_up"
  | "two_factor.backup_code_used"
  | "two_factor.backup_codes_regenerated"
  | "two_factor.code_failed"
  | "two_factor.code_replayed"
  | "two_factor.locked"
  | "two_factor.refused";

/** Events that are the owner's to hear about even when they did it (a thief could have). */
const MAILS: Partial<Record<SecondFactorEvent, { subject: string; text: string }>> = {
  "two_factor.disabled": {
    subject: "Two-factor authentication was turned off",
    text: "Two-factor authentication was just turned off for your account. Signing in now takes only your password.\n\nIf it was not you, change your password at once and turn two-factor authentication on again.\n",
  },
  "two_factor.backup_code_used": {
    subject: "A backup code was used to sign in",
    text: "One of your two-factor backup codes was just used, and cannot be used again.\n\nIf it was not you, someone has your password and a backup code: change your password, and create new backup codes from your account page.\n",
  },
  "two_factor.locked": {
    subject: "Two-factor sign-in locked after failed codes",
    text: "Too many wrong two-factor codes were entered for your account, so code entry is locked for a while.\n\nIf it was not you, someone has your password: change it.\n",
  },
};

/** Whether `event` mails the account's owner. */
export const isMailed = (event: SecondFactorEvent) => event in MAILS;

export interface EventSink {
  log: Logger;
  mailer: Mailer;
  /** Mail goes out after the answer. */
  background: (task: Promise<unknown>) => void;
}

export interface EventDetails {
  user_id?: string | undefined;
  email?: string | undefined;
  ip?: string | undefined;
  status?: number | undefined;
  reason?: string | undefined;
}

export function recordEvent(sink: EventSink, event: SecondFactorEvent, { email, ...details }: EventDetails): void {
  const failed =
    event === "two_factor.code_failed" || event === "two_factor.code_replayed" || event === "two_factor.refused";
  sink.log[failed || event === "two_factor.locked" ? "warn" : "info"]("audit", { event, ...details });
  const mail = MAILS[event];
  if (mail && email) {
    sink.background(sink.mailer.send({ kind: event.replace("two_factor.", "two_factor_"), to: email, ...mail }));
  }
}

/**
 * Account mail (verification, password reset, "someone tried to register") through SMTP with
 * nodemailer: `SMTP_URL`, `MAIL_FROM`. Without `SMTP_URL` (tests, a bare development run) a mail
 * is not sent and one log line says so. Links and tokens never reach the log.
 */
import nodemailer from "nodemailer";
import type { Logger } from "./logger.js";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Which mail, for the audit log (`verification`, `password_reset`, `existing_account`). */
  kind: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(smtpUrl: string | undefined, from: string, log: Logger): Mailer {
  if (!smtpUrl) {
    return {
      send: async (mail) => log.warn("mail not sent: SMTP_URL is not set", { kind: mail.kind }),
      close: () => {},
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    send: async ({ to, subject, text, kind }) => {
      // Building and handing over the message is work too: it starts once the answer is on its
      // way, so an address with an account is not answered later than one without.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await transport.sendMail({ from, to, subject, text });
        log.info("audit", { event: "mail.sent", kind });
      } catch (error) {
        // The sign-up or reset request still answers as it would; the user can ask again.
        log.error("mail failed", { kind, error: error instanceof Error ? error.name : "error" });
      }
    },
    close: () => transport.close(),
  };
}

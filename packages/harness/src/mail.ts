/** A real SMTP server that keeps what it receives: MailDev, as `npm start` runs it, and its REST API. */
import { maildevCommand } from "./commands.js";
import { freePort } from "./ports.js";
import { startService } from "./service.js";

export interface CaughtMail {
  subject: string;
  text: string;
  to: { address: string }[];
}

export interface MailCatcher {
  /** For the auth server's `SMTP_URL`. */
  readonly smtpUrl: string;
  /** MailDev's web inbox and REST API. */
  readonly webUrl: string;
  /** The mails sent to `to` so far, oldest first. */
  inbox(to: string): Promise<CaughtMail[]>;
  /** The first mail to `to` whose subject contains `subject`, waiting for it to arrive. */
  waitFor(to: string, subject: string, timeoutMs?: number): Promise<CaughtMail>;
  close(): Promise<void>;
}

/**
 * MailDev on free loopback ports.
 *
 * @example
 * const mail = await startMailCatcher();
 * const auth = await startAuthServer({ SMTP_URL: mail.smtpUrl });
 * const link = linkIn(await mail.waitFor(email, "Verify"));
 */
export async function startMailCatcher(): Promise<MailCatcher> {
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const webUrl = `http://127.0.0.1:${webPort}`;
  const service = await startService({
    name: "maildev",
    ...maildevCommand(smtpPort, webPort),
    readyUrl: `${webUrl}/api/healthz`,
    deadlineMs: 30_000,
  });
  const inbox = async (to: string) => {
    const all = (await (await fetch(`${webUrl}/api/email`)).json()) as CaughtMail[];
    return all.filter((mail) => mail.to.some((recipient) => recipient.address.toLowerCase() === to.toLowerCase()));
  };
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl,
    inbox,
    waitFor: async (to, subject, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = (await inbox(to)).find((mail) => mail.subject.includes(subject));
        if (found) return found;
        if (Date.now() > until) throw new Error(`no mail to ${to} about "${subject}" within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => service.stop(),
  };
}

/** The first http(s) link in a mail's text. */
export function linkIn(mail: CaughtMail): string {
  const match = /https?:\/\/\S+/.exec(mail.text);
  if (!match) throw new Error(`no link in the mail "${mail.subject}"`);
  return match[0];
}

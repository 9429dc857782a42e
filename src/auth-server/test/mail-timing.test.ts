/**
 * Account mail goes out after the answer: a reset (or a sign-up) that waited for SMTP would take
 * longer for an address with an account than for one without, and the difference tells which
 * emails have accounts. A real SMTP server (smtp-server) that holds every message until the
 * test lets it go shows the answer does not wait, without measuring any time.
 */

import { eventually, freePort, newUser, type RunningAuthServer, signUp, startAuthServer } from "@authbridge/harness";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface HeldMail {
  to: string[];
  release(): void;
}

let smtp: SMTPServer;
let running: RunningAuthServer;
let holding = false;
const held: HeldMail[] = [];
const delivered: string[][] = [];

beforeAll(async () => {
  const port = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      stream.resume();
      stream.on("end", () => {
        const release = () => {
          delivered.push(to);
          callback();
        };
        if (holding) held.push({ to, release });
        else release();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, "127.0.0.1", resolve));
  running = await startAuthServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, RATE_LIMIT_SIGN_IN_MAX: "1000" });
}, 60_000);

afterAll(async () => {
  for (const mail of held.splice(0)) mail.release();
  await running?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), ms))]);

const until = (check: () => boolean, what: string) =>
  eventually(`timed out waiting for ${what}`, async () => (check() ? true : undefined), {
    deadlineMs: 10_000,
    intervalMs: 20,
  });

describe("mail is sent after the answer", () => {
  it("POST /request-password-reset for an account answers while its mail is still held by SMTP", async () => {
    const user = newUser("held");
    await signUp(running.url, user);
    await until(() => delivered.some((to) => to.includes(user.email)), "the verification mail");
    holding = true;
    const answer = await within(
      fetch(`${running.url}/api/auth/request-password-reset`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: running.url },
        body: JSON.stringify({ email: user.email, redirectTo: `${running.url}/reset` }),
      }),
      5_000,
    );
    expect(answer).not.toBe("still waiting");
    expect((answer as Response).status).toBe(200);
    // The mail is on its way: SMTP has it and has not accepted it yet.
    await until(() => held.some((mail) => mail.to.includes(user.email)), "the reset mail to reach SMTP");
    holding = false;
    for (const mail of held.splice(0)) mail.release();
    await until(() => delivered.filter((to) => to.includes(user.email)).length === 2, "the reset mail");
  });
});

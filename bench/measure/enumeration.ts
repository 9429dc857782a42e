/**
 * Every endpoint that takes an email must answer an address with an account and one without
 * alike, timing included: sign-up, sign-in, password reset, verification resend. Email
 * verification on, mail delivered to a real SMTP server (MailDev, as `npm start` runs it), so a
 * path that waited for SMTP would show. Sequential, alternating pairs, one process, SQLite.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startMailCatcher } from "@authbridge/harness";
import { say } from "../load.js";
import { startOurs } from "../servers.js";

export interface Timing {
  median: number;
  p90: number;
}

export interface EnumerationRow {
  name: string;
  route: string;
  fresh: Timing;
  existing: Timing;
}

export interface EnumerationResult {
  rounds: number;
  rows: EnumerationRow[];
}

const PASSWORD = "correct-horse-battery-staple-9";

interface Endpoint {
  name: string;
  route: string;
  status: number;
  body(email: string, base: string): Record<string, unknown>;
}

const ENDPOINTS: Endpoint[] = [
  { name: "sign-up", route: "/sign-up/email", status: 200, body: (email) => ({ email, password: PASSWORD, name: "Bench" }) },
  // A wrong password for the account: both answers are 401 (an unverified account's right password is its own case).
  { name: "sign-in", route: "/sign-in/email", status: 401, body: (email) => ({ email, password: `${PASSWORD}-wrong` }) },
  { name: "password reset", route: "/request-password-reset", status: 200, body: (email, base) => ({ email, redirectTo: `${base}/reset` }) },
  { name: "verification resend", route: "/send-verification-email", status: 200, body: (email) => ({ email }) },
]; // biome-ignore format: one endpoint per line

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const timing = (xs: number[]): Timing => ({
  median: sorted(xs)[Math.floor(xs.length / 2)] as number,
  p90: sorted(xs)[Math.floor(xs.length * 0.9)] as number,
});

export async function enumerationTiming(rounds = 30): Promise<EnumerationResult> {
  say("[bench] endpoints that take an email: an address with an account against one without …");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-bench-enum-"));
  const mail = await startMailCatcher();
  try {
    const server = await startOurs({
      DATA_DIR: dir,
      REQUIRE_EMAIL_VERIFICATION: "true",
      SMTP_URL: mail.smtpUrl,
      LOG_LEVEL: "error",
    });
    try {
      const post = async (route: string, body: unknown, expected: number) => {
        const started = performance.now();
        const res = await fetch(`${server.base}/api/auth${route}`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: server.base },
          body: JSON.stringify(body),
        });
        await res.arrayBuffer();
        if (res.status !== expected) throw new Error(`${route} answered ${res.status}, expected ${expected}`);
        return performance.now() - started;
      };
      const existing = `taken-${Date.now()}@example.test`;
      await post("/sign-up/email", { email: existing, password: PASSWORD, name: "Bench" }, 200);
      const rows: EnumerationRow[] = [];
      for (const endpoint of ENDPOINTS) {
        const times = { fresh: [] as number[], existing: [] as number[] };
        for (let i = 0; i < rounds; i += 1) {
          const unknown = `new-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}@example.test`;
          times.fresh.push(await post(endpoint.route, endpoint.body(unknown, server.base), endpoint.status));
          times.existing.push(await post(endpoint.route, endpoint.body(existing, server.base), endpoint.status));
        }
        const row = {
          name: endpoint.name,
          route: endpoint.route,
          fresh: timing(times.fresh),
          existing: timing(times.existing),
        };
        rows.push(row);
        say(
          `${endpoint.name}: no account ${row.fresh.median.toFixed(1)} ms, account ${row.existing.median.toFixed(1)} ms (medians)`,
        );
      }
      return { rounds, rows };
    } finally {
      await server.stop();
    }
  } finally {
    await mail.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A token refused for its issuer or audience is almost always a configuration mistake (the
 * auth server signs for one URL, the service expects another): it leaves a warning naming the
 * expected and the received value, once per distinct pair so a stream of such tokens cannot
 * flood the log, and never the token. The claims were read after the signature held, so the
 * values come from a trusted signer. Python's `authbridge/mismatch_log.py` writes the same lines.
 */
import type { ResolvedOptions } from "./options.js";

/** Distinct pairs remembered; past that a new pair is not logged (the log stays bounded). */
const MAX_PAIRS = 64;

export class MismatchLog {
  private readonly seen = new Set<string>();

  constructor(private readonly options: Pick<ResolvedOptions, "issuer" | "audiences" | "logger">) {}

  /** Logs `code`'s mismatch for this payload if the pair is new; other codes are ignored. */
  report(code: string, payload: Record<string, unknown>): void {
    let message: string;
    if (code === "invalid_issuer") {
      message = `authbridge: a token was refused for its issuer ${JSON.stringify(payload.iss ?? null)}; expected ${JSON.stringify(this.options.issuer)} (AUTH_ISSUER)`;
    } else if (code === "invalid_audience") {
      const expected = [...this.options.audiences];
      message = `authbridge: a token was refused for its audience ${JSON.stringify(payload.aud ?? null)}; expected one of ${JSON.stringify(expected)} (AUTH_AUDIENCE)`;
    } else {
      return;
    }
    if (this.seen.has(message) || this.seen.size >= MAX_PAIRS) return;
    this.seen.add(message);
    this.options.logger.warn(message);
  }
}

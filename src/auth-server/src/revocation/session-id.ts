/**
 * The `sid` claim (CONTRACT §8): a keyed hash of the session's id, so a token names its session
 * without carrying anything that is, or leads to, the session token. The key is derived from the
 * server secret; a token issued before a secret rotation names its session under the older
 * secret, so a session that ends is listed under every secret still configured.
 */
import { createHmac } from "node:crypto";
import type { AuthServerConfig } from "../config.js";

/** 128 bits of the HMAC, base64url: 22 characters. */
const SID_CHARS = 22;

export interface SessionIds {
  /** The `sid` a token issued now carries for this session id. */
  current(sessionId: string): string;
  /** Every `sid` a live token of this session may carry (one per configured secret). */
  all(sessionId: string): string[];
}

export function sessionIds(config: Pick<AuthServerConfig, "secret" | "secrets">): SessionIds {
  const secrets = [...new Set([config.secret, ...(config.secrets ?? []).map((entry) => entry.value)])];
  const keys = secrets.map((secret) => createHmac("sha256", secret).update("authbridge session id v1").digest());
  const hash = (key: Buffer, sessionId: string) =>
    createHmac("sha256", key).update(sessionId).digest("base64url").slice(0, SID_CHARS);
  const [currentKey] = keys as [Buffer, ...Buffer[]];
  return {
    current: (sessionId) => hash(currentKey, sessionId),
    all: (sessionId) => keys.map((key) => hash(key, sessionId)),
  };
}

/**
 * Strict base64url and JSON for token parts. Canonical encodings only: the spare bits of a
 * last character would otherwise let one token be written several ways. Node's Buffer when
 * present (fast), jose's codec elsewhere.
 */
import { base64url } from "jose";
import { AuthError } from "./errors.js";

const B64URL = /^[A-Za-z0-9_-]*$/;
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeSegment(segment: string): Uint8Array {
  if (!B64URL.test(segment) || segment.length % 4 === 1) throw new AuthError("malformed_token");
  let bytes: Uint8Array;
  let canonical: string;
  if (NodeBuffer) {
    const buffer = NodeBuffer.from(segment, "base64url");
    bytes = buffer;
    canonical = buffer.toString("base64url");
  } else {
    try {
      bytes = base64url.decode(segment);
    } catch {
      throw new AuthError("malformed_token");
    }
    canonical = base64url.encode(bytes);
  }
  if (canonical !== segment) throw new AuthError("malformed_token");
  return bytes;
}

export function decodeJsonObject(segment: string): Record<string, unknown> {
  const raw = decodeSegment(segment);
  if (raw.length === 0) throw new AuthError("malformed_token");
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(raw));
  } catch {
    throw new AuthError("malformed_token");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new AuthError("malformed_token");
  return value as Record<string, unknown>;
}

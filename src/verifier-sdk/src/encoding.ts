/**
 * Strict base64url and JSON for token parts. Canonical encodings only: the spare bits of a
 * last character would otherwise let one token be written several ways. Node's Buffer when
 * present (fast), jose's codec elsewhere.
 */
import { base64url } from "jose";
import { AuthError } from "./errors.js";
import { nodeBuffer } from "./runtime.js";

const B64URL = /^[A-Za-z0-9_-]*$/;
const NodeBuffer = nodeBuffer?.Buffer;
const isUtf8 = nodeBuffer?.isUtf8;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Whether the unused low bits of the last character are zero (the one canonical spelling). */
function canonicalTail(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  const value = ALPHABET.indexOf(segment[segment.length - 1] as string);
  return (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

export function decodeSegment(segment: string): Uint8Array {
  if (!B64URL.test(segment) || segment.length % 4 === 1 || !canonicalTail(segment)) {
    throw new AuthError("malformed_token");
  }
  if (NodeBuffer) return NodeBuffer.from(segment, "base64url");
  try {
    return base64url.decode(segment);
  } catch {
    throw new AuthError("malformed_token");
  }
}

function decodeUtf8(raw: Uint8Array): string {
  if (NodeBuffer && isUtf8) {
    if (!isUtf8(raw)) throw new AuthError("malformed_token");
    return NodeBuffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
  }
  try {
    return utf8.decode(raw);
  } catch {
    throw new AuthError("malformed_token");
  }
}

/**
 * Deepest nesting of objects and arrays in a token's header or payload (the top object is 1).
 *
 * @example
 * // A header nested deeper than MAX_JSON_DEPTH levels is malformed_token, in both languages.
 */
export const MAX_JSON_DEPTH = 32;
/** A number literal long enough, or with an exponent large enough, that it may not fit a double. */
const MAYBE_HUGE = /\d{309}|[eE][+]?\d{3}/;

/** Whether a parsed document nests past the limit or holds a number no double can (JSON.parse's Infinity). */
function outOfBounds(value: unknown, text: string): boolean {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= MAX_JSON_DEPTH; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets += 1;
  }
  // Fewer brackets than the limit and no long number: nothing to walk (the common case).
  if (brackets <= MAX_JSON_DEPTH && !MAYBE_HUGE.test(text)) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, level] = stack.pop() as [unknown, number];
    if (typeof item === "number" && !Number.isFinite(item)) return true;
    if (item === null || typeof item !== "object") continue;
    if (level > MAX_JSON_DEPTH) return true;
    for (const child of Object.values(item)) stack.push([child, level + 1]);
  }
  return false;
}

export function decodeJsonObject(segment: string): Record<string, unknown> {
  const raw = decodeSegment(segment);
  if (raw.length === 0) throw new AuthError("malformed_token");
  let value: unknown;
  const text = decodeUtf8(raw);
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuthError("malformed_token");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new AuthError("malformed_token");
  if (outOfBounds(value, text)) throw new AuthError("malformed_token");
  return value as Record<string, unknown>;
}

/** The ASCII bytes of the signing input (`header.payload`), already known to be base64url. */
export function asciiBytes(value: string): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(value, "latin1");
  return new TextEncoder().encode(value);
}

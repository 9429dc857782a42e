/**
 * Scopes of machine clients: the permission names of the role map (roles.ts), space-separated
 * as RFC 6749 §3.3 spells them. A scope token is 1*NQCHAR: printable ASCII except space, `"`
 * and `\`.
 */
import { PERMISSIONS } from "../roles.js";

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The scopes a client may be granted: every permission some role grants. */
export const SUPPORTED_SCOPES: readonly string[] = PERMISSIONS;

/**
 * The scope tokens of a space-separated `scope` value, each once, in order; `undefined` when the
 * value is not one (empty, a double or edge space, a character RFC 6749 does not allow).
 */
export function parseScope(value: string): string[] | undefined {
  const tokens = value.split(" ");
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) return undefined;
  return [...new Set(tokens)];
}

export class ScopeError extends Error {
  override readonly name = "ScopeError";
}

/** An operator's `--scope` argument, checked against the role map; throws naming what is wrong. */
export function grantableScopes(value: string): string[] {
  const scopes = parseScope(value.trim().replace(/ +/g, " "));
  if (!scopes) throw new ScopeError(`scope must be space-separated names; known: ${SUPPORTED_SCOPES.join(" ")}`);
  const unknown = scopes.filter((scope) => !SUPPORTED_SCOPES.includes(scope));
  if (unknown.length > 0) {
    throw new ScopeError(`unknown scope ${unknown.join(" ")}; known: ${SUPPORTED_SCOPES.join(" ")}`);
  }
  return scopes;
}

/** Strong ETags for the documents verifiers poll (the JWKS, the revocation list), and `If-None-Match`. */
import { createHash } from "node:crypto";
import { splitList } from "./list.js";

/** A strong ETag of the body: the same body on every replica has the same tag. */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** Whether `If-None-Match` names this ETag (weak comparison, RFC 9110 §13.1.2) or `*`. */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return splitList(header)
    .map((tag) => tag.replace(/^W\//, ""))
    .some((tag) => tag === etag || tag === "*");
}

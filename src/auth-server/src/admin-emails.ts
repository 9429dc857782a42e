/**
 * `ADMIN_EMAILS`: the accounts that become `admin` once their address is verified. Never at
 * sign-up: before verification anyone can type any address, and an admin role granted then (or
 * on an address that merely folds to the same one) goes to whoever typed it.
 *
 * An address matches an entry when its domain is the same ignoring case (DNS names are
 * case-insensitive) and its local part is the same character for character (RFC 5321 leaves it
 * to the mailbox's own server, which may tell `Kate` from `KATE`). Better Auth stores every
 * address lower-cased, so the address compared is the one typed at sign-up: the sign-up marks
 * an eligible account (a row in Better Auth's `verification` table, never in an answer), and
 * the verification grants the role.
 */

export interface AdminAddress {
  readonly local: string;
  readonly domain: string;
}

/** `Kate@X.Test` → `{ local: "Kate", domain: "x.test" }`; `undefined` if it is no address. */
export function parseAdminAddress(raw: string): AdminAddress | undefined {
  const at = raw.lastIndexOf("@");
  const local = raw.slice(0, at);
  const domain = raw.slice(at + 1).toLowerCase();
  if (at < 1 || !domain || /[\s@]/.test(local) || /[\s@]/.test(domain)) return undefined;
  return { local, domain };
}

/** Whether `typed` (as the user typed it) is one of `entries`. */
export function isAdminAddress(entries: readonly AdminAddress[], typed: unknown): boolean {
  if (typeof typed !== "string") return false;
  const address = parseAdminAddress(typed.trim());
  return (
    address !== undefined && entries.some((entry) => entry.local === address.local && entry.domain === address.domain)
  );
}

/** The `verification` row that marks an account as due the admin role once verified. */
export const adminGrantIdentifier = (userId: string) => `authbridge-admin-grant:${userId}`;

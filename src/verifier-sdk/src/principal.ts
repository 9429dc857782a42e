/** The verified caller: what `verify` returns and what the Hono middleware puts in `c.var.user`. */
import type { JWTPayload } from "jose";

export interface Principal {
  /** The token's `sub`. */
  readonly id: string;
  readonly email: string | null;
  readonly name: string | null;
  /** Every verified claim. */
  readonly claims: Readonly<JWTPayload & Record<string, unknown>>;
}

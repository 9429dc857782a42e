/**
 * Request bodies and query strings, validated with zod to the same rules as the FastAPI
 * models (`task_api/models.py`): strict types, trimmed titles of 1–200 characters,
 * descriptions ≤ 2000, unknown fields refused. Failures become FastAPI-style 422 details.
 */
import { z } from "zod";

const chars = (value: string) => [...value].length;
// A NUL truncates strings in C libraries and is refused by PostgreSQL text columns.
const noNul = (value: string) => !value.includes("\u0000");
const NUL_MESSAGE = "Value error, must not contain NUL characters";
// An unpaired surrogate ("\ud800") is no character: no UTF-8 spelling, no database keeps it.
const wellFormed = (value: string) => !/\p{Cs}/u.test(value);
const SURROGATE_MESSAGE = "Value error, must not contain unpaired surrogates";

const title = z
  .string()
  .transform((value) => value.trim())
  .refine((value) => chars(value) >= 1, { message: "String should have at least 1 character" })
  .refine((value) => chars(value) <= 200, { message: "String should have at most 200 characters" })
  .refine(noNul, { message: NUL_MESSAGE })
  .refine(wellFormed, { message: SURROGATE_MESSAGE });
const description = z
  .string()
  .refine((value) => chars(value) <= 2000, { message: "String should have at most 2000 characters" })
  .refine(noNul, { message: NUL_MESSAGE })
  .refine(wellFormed, { message: SURROGATE_MESSAGE });

export const TaskCreateSchema = z.strictObject({
  title,
  description: description.nullable().optional(),
  completed: z.boolean().optional(),
});

/** Omitted means unchanged; an explicit null would remove a required value, so only description may be null. */
export const TaskUpdateSchema = z.strictObject({
  title: title.optional(),
  description: description.nullable().optional(),
  completed: z.boolean().optional(),
});

export type TaskCreate = z.infer<typeof TaskCreateSchema>;
export type TaskUpdate = z.infer<typeof TaskUpdateSchema>;

/** Pydantic's lax boolean words, so `?completed=` parses the same in both APIs. */
const TRUE = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE = new Set(["0", "off", "f", "false", "n", "no"]);
/** What pydantic accepts as an integer in a query string: `7`, ` +7 `, `1_000`, `7.0`. */
const integer = /^[+-]?\d+(?:_\d+)*(?:\.0+)?$/;
/** Largest offset (CONTRACT §4): no offset can overflow a 64-bit database integer. */
export const MAX_OFFSET = 1_000_000_000;

export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
}

/**
 * `?completed=&limit=&offset=` (and `owner=` where `withOwner`); a repeated parameter takes its
 * last value, as FastAPI does. `completed: false` leaves `completed` out (a page of users).
 */
export function parseListQuery(
  queries: Record<string, string[] | undefined>,
  fields: { completed?: boolean; owner?: boolean } = {},
):
  | { ok: true; value: { completed: boolean | undefined; limit: number; offset: number; owner: string | undefined } }
  | { ok: false; detail: ValidationIssue[] } {
  const query: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(queries)) query[name] = values?.at(-1);
  const detail: ValidationIssue[] = [];
  let completed: boolean | undefined;
  if (fields.completed !== false && query.completed !== undefined) {
    const word = query.completed.trim().toLowerCase();
    if (TRUE.has(word)) completed = true;
    else if (FALSE.has(word)) completed = false;
    else detail.push({ type: "bool_parsing", loc: ["query", "completed"], msg: "Input should be a valid boolean" });
  }
  const int = (name: "limit" | "offset", fallback: number, min: number, max: number): number => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    const text = raw.trim();
    if (!integer.test(text)) {
      detail.push({
        type: "int_parsing",
        loc: ["query", name],
        msg: "Input should be a valid integer, unable to parse string as an integer",
      });
      return fallback;
    }
    const value = Number(text.replaceAll("_", ""));
    if (value < min)
      detail.push({
        type: "greater_than_equal",
        loc: ["query", name],
        msg: `Input should be greater than or equal to ${min}`,
      });
    else if (value > max)
      detail.push({
        type: "less_than_equal",
        loc: ["query", name],
        msg: `Input should be less than or equal to ${max}`,
      });
    return value;
  };
  const limit = int("limit", 50, 1, 100);
  const offset = int("offset", 0, 0, MAX_OFFSET);
  const owner = fields.owner ? query.owner : undefined;
  return detail.length > 0 ? { ok: false, detail } : { ok: true, value: { completed, limit, offset, owner } };
}

export function zodDetail(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    type: issue.code,
    loc: ["body", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    msg: issue.message,
  }));
}

/**
 * Request bodies and query strings, validated with zod to the same rules as the FastAPI
 * models (`task_api/models.py`): strict types, trimmed titles of 1–200 characters,
 * descriptions ≤ 2000, unknown fields refused. Failures become FastAPI-style 422 details.
 */
import { z } from "zod";

const chars = (value: string) => [...value].length;

const title = z
  .string()
  .transform((value) => value.trim())
  .refine((value) => chars(value) >= 1, { message: "String should have at least 1 character" })
  .refine((value) => chars(value) <= 200, { message: "String should have at most 200 characters" });
const description = z
  .string()
  .refine((value) => chars(value) <= 2000, { message: "String should have at most 2000 characters" });

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
const integer = /^[+-]?\d+$/;

export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
}

export function parseListQuery(
  query: Record<string, string | undefined>,
):
  | { ok: true; value: { completed: boolean | undefined; limit: number; offset: number } }
  | { ok: false; detail: ValidationIssue[] } {
  const detail: ValidationIssue[] = [];
  let completed: boolean | undefined;
  if (query.completed !== undefined) {
    const word = query.completed.trim().toLowerCase();
    if (TRUE.has(word)) completed = true;
    else if (FALSE.has(word)) completed = false;
    else detail.push({ type: "bool_parsing", loc: ["query", "completed"], msg: "Input should be a valid boolean" });
  }
  const int = (name: "limit" | "offset", fallback: number, min: number, max: number): number => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    if (!integer.test(raw.trim())) {
      detail.push({ type: "int_parsing", loc: ["query", name], msg: "Input should be a valid integer" });
      return fallback;
    }
    const value = Number(raw);
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
  const offset = int("offset", 0, 0, Number.MAX_SAFE_INTEGER);
  return detail.length > 0 ? { ok: false, detail } : { ok: true, value: { completed, limit, offset } };
}

export function zodDetail(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    type: issue.code,
    loc: ["body", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    msg: issue.message,
  }));
}

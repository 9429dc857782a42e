/** The one reader of comma lists (env values, stored roles, forwarding headers): trimmed, empties dropped. */
export function splitList(value: string | undefined | null): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

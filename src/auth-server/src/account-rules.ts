/**
 * What an account may hold, checked before Better Auth stores it: a name short enough that the
 * user's token stays far below the verifiers' 8 KB cap, a profile image that is a web address
 * (never `javascript:`), and a password that passes a real strength check (zxcvbn with its
 * common-password and English dictionaries) and does not contain the email's local part.
 * A refusal is a 400 whose `code` and message name the rule.
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";
import { APIError } from "better-auth/api";

export const MAX_NAME_LENGTH = 100;
/** zxcvbn's score runs 0–4; 3 is "safely unguessable: moderate protection from offline attacks". */
export const MIN_PASSWORD_SCORE = 3;
/** Shorter local parts (`a@…`) are too common to refuse every password containing them. */
const MIN_LOCAL_PART = 3;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
});

const refuse = (code: string, message: string) => new APIError("BAD_REQUEST", { code, message });

export function checkName(name: unknown): void {
  if (typeof name !== "string") return;
  if ([...name].length > MAX_NAME_LENGTH) {
    throw refuse("NAME_TOO_LONG", `name must be at most ${MAX_NAME_LENGTH} characters`);
  }
}

export function checkImage(image: unknown, allowHttp: boolean): void {
  if (image === undefined || image === null || image === "") return;
  let protocol: string;
  try {
    protocol = new URL(String(image)).protocol;
  } catch {
    throw refuse("INVALID_IMAGE_URL", "image must be an https:// URL");
  }
  if (protocol === "https:" || (allowHttp && protocol === "http:")) return;
  throw refuse(
    "INVALID_IMAGE_URL",
    allowHttp ? "image must be an http:// or https:// URL" : "image must be an https:// URL",
  );
}

/** Refuses a weak password, naming the rule it breaks. */
export async function checkPassword(password: unknown, email: string | undefined, name?: string): Promise<void> {
  if (typeof password !== "string") return;
  const local = email?.split("@")[0]?.toLowerCase() ?? "";
  if (local.length >= MIN_LOCAL_PART && password.toLowerCase().includes(local)) {
    throw refuse("PASSWORD_CONTAINS_EMAIL", "password must not contain the email address's name part");
  }
  // Only the first 128 characters: zxcvbn's cost grows with length, and longer is strong anyway.
  const result = await zxcvbn.checkAsync(password.slice(0, 128), [email ?? "", name ?? ""].filter(Boolean));
  if (result.score < MIN_PASSWORD_SCORE) {
    const hint = result.feedback.warning ? `: ${result.feedback.warning}` : "";
    throw refuse(
      "PASSWORD_TOO_WEAK",
      `password is too easy to guess (strength ${result.score} of 4, needs ${MIN_PASSWORD_SCORE})${hint}`,
    );
  }
}

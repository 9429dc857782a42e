/**
 * Two-factor authentication in the demo, with Better Auth's `twoFactor` client: enrolment (a
 * scannable QR code of the `totpURI`, the setup key for typing, the backup codes shown once,
 * then a first code), the code a sign-in asks for, and the step-up prompt an admin sees when
 * an API answers 401 `insufficient_user_authentication`.
 */
import QRCode from "qrcode";
import { authClient, forgetJwt } from "./auth.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface TwoFactorUi {
  /** Runs an action and redraws the page (main.ts). */
  run(action: () => Promise<unknown>): Promise<void>;
  notice(text: string): void;
}

/** Throws Better Auth's error message, so `run` shows it. */
function orThrow<T>({ data, error }: { data: T; error: { message?: string; statusText?: string } | null }): T {
  if (error) throw new Error(error.message ?? error.statusText ?? "The request failed");
  return data;
}

function values(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
}

/** The setup key an authenticator asks for when the QR code cannot be scanned. */
const setupKeyOf = (totpURI: string) => new URL(totpURI).searchParams.get("secret") ?? "";

async function showEnrolment(totpURI: string, backupCodes: string[]): Promise<void> {
  $<HTMLImageElement>("totp-qr").src = await QRCode.toDataURL(totpURI, { margin: 1, width: 200 });
  $("totp-key").textContent = setupKeyOf(totpURI);
  $("totp-uri").textContent = totpURI;
  $("backup-codes").replaceChildren(
    ...backupCodes.map((code) => {
      const item = document.createElement("li");
      item.textContent = code;
      return item;
    }),
  );
  $("enrol").hidden = false;
}

/** Shows the account's 2FA state: the enable form when off, the disable form when on. */
export function renderTwoFactor(enabled: boolean): void {
  $("two-factor-state").textContent = enabled
    ? "Two-factor authentication is on."
    : "Two-factor authentication is off.";
  $("enable-2fa").hidden = enabled;
  $("disable-2fa").hidden = !enabled;
  if (enabled) $("enrol").hidden = true;
}

/**
 * The step-up prompt: an admin route asked for a second factor. Enrolled users enter a code
 * (it upgrades this session); others turn 2FA on, which completes one.
 */
export function showStepUp(enabled: boolean, visible = true): void {
  $("step-up").hidden = !visible;
  $("step-up-code").hidden = !enabled;
  $("step-up-enrol").hidden = enabled;
}

export function initTwoFactor(ui: TwoFactorUi): void {
  /** A form whose submission runs `act` with its fields, then clears it and redraws. */
  const onSubmit = (id: string, act: (fields: Record<string, string>) => Promise<void>) =>
    $<HTMLFormElement>(id).addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      const fields = values(form);
      void ui.run(async () => {
        await act(fields);
        form.reset();
      });
    });

  onSubmit("enable-2fa", async ({ password = "" }) => {
    const { totpURI, backupCodes } = orThrow(await authClient.twoFactor.enable({ password })) as {
      totpURI: string;
      backupCodes: string[];
    };
    await showEnrolment(totpURI, backupCodes);
  });

  onSubmit("confirm-2fa", async ({ code = "" }) => {
    orThrow(await authClient.twoFactor.verifyTotp({ code }));
    // The confirmation replaced the session with one that carries `mfa`: a new token says so.
    forgetJwt();
    $("enrol").hidden = true;
    showStepUp(true, false);
    ui.notice("Two-factor authentication is on. Keep your backup codes somewhere safe.");
  });

  onSubmit("disable-2fa", async ({ password = "" }) => {
    orThrow(await authClient.twoFactor.disable({ password }));
    forgetJwt();
    ui.notice("Two-factor authentication is off. We mailed you about it.");
  });

  // A backup code has a dash (`abcde-12345`); an authenticator's code is six digits.
  onSubmit("second-factor", async ({ code = "" }) => {
    const { twoFactor } = authClient;
    orThrow(code.includes("-") ? await twoFactor.verifyBackupCode({ code }) : await twoFactor.verifyTotp({ code }));
    $("second-factor").hidden = true;
    forgetJwt();
  });

  // Signed in already: a code upgrades this session (the step-up), and the next token says so.
  onSubmit("step-up-code", async ({ code = "" }) => {
    orThrow(await authClient.twoFactor.verifyTotp({ code }));
    forgetJwt();
    showStepUp(true, false);
  });
}

/** The sign-in answered `twoFactorRedirect`: ask for the code (Better Auth's client calls this). */
export function askForSecondFactor(): void {
  $("second-factor").hidden = false;
  $<HTMLInputElement>("second-factor-code").focus();
}

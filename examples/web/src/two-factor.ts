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
  $<HTMLFormElement>("enable-2fa").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const { password = "" } = values(form);
    void ui.run(async () => {
      const { totpURI, backupCodes } = orThrow(await authClient.twoFactor.enable({ password })) as {
        totpURI: string;
        backupCodes: string[];
      };
      form.reset();
      await showEnrolment(totpURI, backupCodes);
    });
  });

  $<HTMLFormElement>("confirm-2fa").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const { code = "" } = values(form);
    void ui.run(async () => {
      orThrow(await authClient.twoFactor.verifyTotp({ code }));
      form.reset();
      // The confirmation replaced the session with one that carries `mfa`: a new token says so.
      forgetJwt();
      $("enrol").hidden = true;
      showStepUp(true, false);
      ui.notice("Two-factor authentication is on. Keep your backup codes somewhere safe.");
    });
  });

  $<HTMLFormElement>("disable-2fa").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const { password = "" } = values(form);
    void ui.run(async () => {
      orThrow(await authClient.twoFactor.disable({ password }));
      form.reset();
      forgetJwt();
      ui.notice("Two-factor authentication is off. We mailed you about it.");
    });
  });

  $<HTMLFormElement>("second-factor").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const { code = "" } = values(form);
    const backup = code.includes("-");
    void ui.run(async () => {
      orThrow(
        backup
          ? await authClient.twoFactor.verifyBackupCode({ code })
          : await authClient.twoFactor.verifyTotp({ code }),
      );
      form.reset();
      $("second-factor").hidden = true;
      forgetJwt();
    });
  });

  $<HTMLFormElement>("step-up-code").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const { code = "" } = values(form);
    void ui.run(async () => {
      orThrow(await authClient.twoFactor.verifyTotp({ code }));
      form.reset();
      forgetJwt();
      showStepUp(true, false);
    });
  });
}

/** The sign-in answered `twoFactorRedirect`: ask for the code (Better Auth's client calls this). */
export function askForSecondFactor(): void {
  $("second-factor").hidden = false;
  $<HTMLInputElement>("second-factor-code").focus();
}

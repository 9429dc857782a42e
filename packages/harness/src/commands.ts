/**
 * How each of the project's services is started, as `npm start` runs it: the one place the
 * command lines live (`npm start`, the bench and every suite take them from here).
 */
import path from "node:path";

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, "../../..");
const VENV_BIN = path.join(ROOT, "python-backend", ".venv", "bin");

export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** A TypeScript entry point run by Node with tsx as a loader (not its CLI, which forks a second process). */
function tsEntry(entry: string, conditions: readonly string[] = []): Command {
  return {
    command: process.execPath,
    args: [...conditions.map((c) => `--conditions=${c}`), "--import", "tsx", entry],
    cwd: ROOT,
  };
}

/** The auth server (`src/auth-server/src/main.ts`); it listens on HOST and PORT. */
export const authServerCommand = (): Command => tsEntry("src/auth-server/src/main.ts");

/** `npm run clients:<subcommand>` (`src/auth-server/src/cli/clients.ts`) with its arguments. */
export const clientsCliCommand = (subcommand: string, args: readonly string[] = []): Command => {
  const entry = tsEntry("src/auth-server/src/cli/clients.ts");
  return { ...entry, args: [...entry.args, subcommand, ...args] };
};

/** The TypeScript twin, on the SDK's sources; it listens on HOST and PORT. */
export const honoTaskApiCommand = (): Command => tsEntry("examples/hono-task-api/src/main.ts", ["authbridge-source"]);

/** Any Node TypeScript entry under the root (the stock Better Auth server of the bench). */
export const nodeEntryCommand = (entry: string): Command => tsEntry(entry);

export interface UvicornOptions {
  /** `module:attribute`; default the reference task API. */
  readonly app?: string;
  /** Where `app` is importable from; default `python-backend`. */
  readonly cwd?: string;
  /** uvicorn's own log level; default info (as `npm start`). */
  readonly logLevel?: "warning" | "info";
}

/** A FastAPI app under uvicorn on 127.0.0.1:`port`, without access logs. */
export function uvicornCommand(port: number | string, options: UvicornOptions = {}): Command {
  const args = [options.app ?? "task_api.main:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"];
  if (options.logLevel) args.push("--log-level", options.logLevel);
  return {
    command: path.join(VENV_BIN, "uvicorn"),
    args,
    cwd: options.cwd ?? path.join(ROOT, "python-backend"),
  };
}

/** The reference task API as its package runs it (`python -m task_api`, HOST and PORT). */
export const pythonTaskApiCommand = (): Command => ({
  command: path.join(VENV_BIN, "python"),
  args: ["-m", "task_api"],
  cwd: path.join(ROOT, "python-backend"),
});

/** MailDev on loopback: SMTP on `smtpPort`, its inbox and REST API on `webPort`. */
export const maildevCommand = (smtpPort: number | string, webPort: number | string): Command => ({
  command: process.execPath,
  args: [
    path.join(ROOT, "node_modules", "maildev", "dist", "bin", "maildev.js"),
    "--ip",
    "127.0.0.1",
    "--web-ip",
    "127.0.0.1",
    "-s",
    String(smtpPort),
    "-w",
    String(webPort),
    "--silent",
  ],
  cwd: ROOT,
});

/** The demo frontend's Vite dev server on 127.0.0.1:`port`. */
export const viteCommand = (port: number | string): Command => ({
  command: process.execPath,
  args: [
    path.join(ROOT, "node_modules", "vite", "bin", "vite.js"),
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--strictPort",
  ],
  cwd: path.join(ROOT, "examples", "web"),
});

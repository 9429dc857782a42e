/**
 * The data directory holds live session tokens (the SQLite database) and the development
 * secret: readable by this server's user only. Created that way, and corrected at start-up when
 * an existing directory or file is looser, so an old installation is fixed by a restart.
 */
import fs from "node:fs";

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** Creates `dir` (and its parents) if needed; makes it 0700. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, DIR_MODE);
}

/** Creates `file` empty if absent, 0600 from the first byte; makes an existing one 0600. */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, "a", FILE_MODE));
  tighten(file, FILE_MODE);
}

/** Makes `file` 0600 if it exists (SQLite's `-wal` / `-shm`, made with the database's mode). */
export function tightenIfPresent(file: string): void {
  if (fs.existsSync(file)) tighten(file, FILE_MODE);
}

function tighten(target: string, mode: number): void {
  // Only ever removes permissions: group and others lose everything, the owner keeps what it has.
  const current = fs.statSync(target).mode & 0o777;
  if ((current & ~mode) !== 0) fs.chmodSync(target, current & mode);
}

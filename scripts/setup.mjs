#!/usr/bin/env node
/**
 * Installs whatever a fresh clone is missing before `npm start` / `npm test`: the Node
 * packages (when node_modules is absent or older than package-lock.json) and the Python
 * virtualenv of python-backend (when absent or older than its pyproject.toml). Built-ins only,
 * because it runs before anything is installed.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const say = (msg) => process.stdout.write(`[setup] ${msg}\n`);

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...options });
  if (result.status !== 0) {
    process.stderr.write(`[setup] failed: ${cmd} ${args.join(" ")}\n`);
    process.exit(result.status ?? 1);
  }
}

// npm writes node_modules/.package-lock.json on every install: its age tells whether the
// lock file changed since.
const installedMarker = path.join(root, "node_modules", ".package-lock.json");
const lock = path.join(root, "package-lock.json");
// `npm install`, not `npm ci`: the lock holds only the platform packages the registry served
// (e.g. Biome's linux-x64 binary), and `npm ci` refuses a lock without every platform's entry.
// With a lock present, `npm install` installs exactly its versions and leaves it unchanged.
if (!fs.existsSync(installedMarker) || mtime(installedMarker) < mtime(lock)) {
  say("installing Node packages (npm install from package-lock.json)");
  run("npm", ["install", "--no-audit", "--no-fund"]);
}

const backend = path.join(root, "python-backend");
const pyproject = path.join(backend, "pyproject.toml");
if (fs.existsSync(pyproject)) {
  const venv = path.join(backend, ".venv");
  const python = path.join(venv, "bin", "python");
  const stamp = path.join(venv, ".authbridge-installed");
  const lockfile = path.join(backend, "requirements.lock");
  if (!fs.existsSync(python)) {
    say("creating python-backend/.venv");
    run(process.env.PYTHON ?? "python3", ["-m", "venv", venv]);
  }
  if (mtime(stamp) < Math.max(mtime(pyproject), mtime(lockfile))) {
    say("installing python-backend into .venv");
    run(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "--upgrade", "pip"]);
    const args = ["-m", "pip", "install", "--disable-pip-version-check", "-q"];
    if (fs.existsSync(lockfile)) args.push("-c", lockfile);
    run(python, [...args, "-e", `${backend}[dev]`]);
    fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  }
}

#!/usr/bin/env node
/**
 * Installs whatever a fresh clone is missing before `npm start` / `npm test`: the Node
 * packages (when node_modules is absent or older than package-lock.json) and the Python
 * virtualenv of python-backend (when absent or older than its requirements). Built-ins only,
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
// `npm ci`: exactly the lock's versions, the same on every platform (the lock holds every
// platform's optional binaries).
if (!fs.existsSync(installedMarker) || mtime(installedMarker) < mtime(lock)) {
  say("installing Node packages (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=warn"]);
}

const backend = path.join(root, "python-backend");
const inputs = [
  "requirements-dev.txt",
  "requirements.lock",
  "authbridge/pyproject.toml",
  "task_api/pyproject.toml",
].map((file) => path.join(backend, file));
if (fs.existsSync(inputs[0])) {
  const venv = path.join(backend, ".venv");
  const python = path.join(venv, "bin", "python");
  const stamp = path.join(venv, ".authbridge-installed");
  if (!fs.existsSync(python)) {
    say("creating python-backend/.venv");
    run(process.env.PYTHON ?? "python3", ["-m", "venv", venv]);
  }
  if (mtime(stamp) < Math.max(...inputs.map(mtime))) {
    say("installing authbridge and task_api (editable) with the dev tools into python-backend/.venv");
    run(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "--upgrade", "pip"]);
    run(
      python,
      [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-c",
        "requirements.lock",
        "-r",
        "requirements-dev.txt",
      ],
      { cwd: backend },
    );
    fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  }
}

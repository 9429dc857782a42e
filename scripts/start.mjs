#!/usr/bin/env node
/**
 * `npm start`: the whole local stack on embedded SQLite. Starts a mail catcher (MailDev, unless
 * SMTP_URL names a mail server) and the auth server, waits until it is ready, then the task APIs
 * (and the demo frontend) pointed at its JWKS, issuer and audience; prints the URLs. Ctrl-C,
 * SIGTERM or SIGHUP (a closed terminal), or the end of the process that started this one (`npm`
 * killed by its PID), stops every child with its whole process group.
 *
 * Ports: PORT (auth server, 3000), PYTHON_BACKEND_PORT (8000), HONO_TASK_API_PORT (8001),
 * WEB_PORT (5173), MAILDEV_SMTP_PORT (1025), MAILDEV_WEB_PORT (1080); data under DATA_DIR (./data).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const port = (name, fallback) => env[name] || String(fallback);
const ports = {
  auth: port("PORT", 3000),
  python: port("PYTHON_BACKEND_PORT", 8000),
  hono: port("HONO_TASK_API_PORT", 8001),
  web: port("WEB_PORT", 5173),
  smtp: port("MAILDEV_SMTP_PORT", 1025),
  mailWeb: port("MAILDEV_WEB_PORT", 1080),
};
const dataDir = path.resolve(root, env.DATA_DIR || "data");
const authUrl = env.BETTER_AUTH_URL ?? `http://127.0.0.1:${ports.auth}`;
const issuer = env.JWT_ISSUER ?? new URL(authUrl).origin;
const audience = env.JWT_AUDIENCE ?? new URL(authUrl).origin;
const verifierEnv = {
  AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
  AUTH_ISSUER: issuer,
  AUTH_AUDIENCE: audience,
  CORS_ORIGINS: env.CORS_ORIGINS ?? `http://127.0.0.1:${ports.web},http://localhost:${ports.web}`,
};
const venvBin = path.join(root, "python-backend", ".venv", "bin");

/** Development mail: every verification and reset mail lands in MailDev's inbox. */
const mail = env.SMTP_URL
  ? undefined
  : {
      name: "mail (MailDev)",
      url: `http://127.0.0.1:${ports.mailWeb}`,
      health: `http://127.0.0.1:${ports.mailWeb}/api/healthz`,
      cmd: process.execPath,
      args: [
        path.join(root, "node_modules", "maildev", "dist", "bin", "maildev.js"),
        "--ip",
        "127.0.0.1",
        "--web-ip",
        "127.0.0.1",
        "-s",
        ports.smtp,
        "-w",
        ports.mailWeb,
      ],
      env: {},
    };

/** The mail catcher and the auth server first; the others start once it is ready. */
const services = [
  ...(mail ? [mail] : []),
  {
    name: "auth-server",
    url: authUrl,
    health: `${authUrl}/readyz`,
    cmd: process.execPath,
    // tsx as a loader, not its CLI (which forks a second process): one process to stop.
    args: ["--import", "tsx", "src/auth-server/src/main.ts"],
    env: {
      PORT: ports.auth,
      ...(env.TRUSTED_ORIGINS
        ? {}
        : { TRUSTED_ORIGINS: `http://127.0.0.1:${ports.web},http://localhost:${ports.web}` }),
      ...(mail ? { SMTP_URL: `smtp://127.0.0.1:${ports.smtp}` } : {}),
    },
  },
  {
    name: "python-backend",
    url: `http://127.0.0.1:${ports.python}`,
    health: `http://127.0.0.1:${ports.python}/health`,
    docs: `http://127.0.0.1:${ports.python}/docs`,
    cmd: path.join(venvBin, "uvicorn"),
    args: ["task_api.main:app", "--host", "127.0.0.1", "--port", ports.python, "--no-access-log"],
    cwd: "python-backend",
    env: {
      ...verifierEnv,
      TASKS_DATABASE_URL: env.TASKS_DATABASE_URL ?? `sqlite:///${path.join(dataDir, "tasks.sqlite")}`,
    },
  },
  {
    name: "hono-task-api",
    url: `http://127.0.0.1:${ports.hono}`,
    health: `http://127.0.0.1:${ports.hono}/health`,
    cmd: process.execPath,
    // The SDK is consumed from its TypeScript sources (package.json exports condition).
    args: ["--conditions=authbridge-source", "--import", "tsx", "examples/hono-task-api/src/main.ts"],
    env: {
      ...verifierEnv,
      PORT: ports.hono,
      TASKS_DATABASE_URL: `sqlite:///${path.join(dataDir, "tasks-ts.sqlite")}`,
    },
  },
  {
    name: "web",
    url: `http://127.0.0.1:${ports.web}`,
    health: `http://127.0.0.1:${ports.web}/`,
    cmd: process.execPath,
    args: [
      path.join(root, "node_modules", "vite", "bin", "vite.js"),
      "--host",
      "127.0.0.1",
      "--port",
      ports.web,
      "--strictPort",
    ],
    cwd: "examples/web",
    env: { VITE_AUTH_URL: authUrl, VITE_API_URL: `http://127.0.0.1:${ports.python}` },
  },
];

const children = new Map();
let stopping = false;

function launch(service) {
  // Its own process group, so a stop reaches every process it starts (uvicorn's workers, vite's).
  const child = spawn(service.cmd, service.args, {
    cwd: path.join(root, service.cwd ?? "."),
    env: { ...env, ...service.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const prefix = `[${service.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on("exit", (code, signal) => {
    children.delete(service.name);
    if (!stopping) {
      process.stderr.write(`${prefix}exited (${signal ?? code}); stopping the stack\n`);
      stop(1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.set(service.name, child);
}

/** Signals a child's whole process group (the child leads it), or the child alone if that fails. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

async function waitReady(service, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(service.health);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) signalGroup(child, "SIGTERM");
  setTimeout(() => {
    for (const child of children.values()) signalGroup(child, "SIGKILL");
    process.exit(code);
  }, 10_000).unref();
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
// `npm start` killed by its PID may not pass the signal on (npm runs this through `sh -c`, and
// neither forwards SIGINT or SIGHUP): when npm or the shell between goes, so does the stack.
const ancestors = [process.ppid, parentOf(process.ppid)].filter((pid) => pid !== undefined && pid > 1);
setInterval(() => {
  if (ancestors.some((pid) => !isRunning(pid))) stop(0);
}, 500).unref();

/** The parent of `pid` (Linux /proc), or `undefined` where that cannot be read. */
function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

const [auth, ...rest] = mail ? services.slice(1) : services;
if (mail) {
  launch(mail);
  if (!(await waitReady(mail))) process.stderr.write("[start] MailDev did not start: mails will not be caught\n");
}
launch(auth);
if (!(await waitReady(auth))) {
  process.stderr.write("[start] the auth server did not become ready\n");
  stop(1);
} else {
  for (const service of rest) launch(service);
  const ready = await Promise.all(rest.map((service) => waitReady(service)));
  if (!stopping) {
    const lines = ["", "authbridge is up:"];
    for (const service of [auth, ...rest]) {
      const i = rest.indexOf(service);
      const ok = i < 0 || ready[i];
      lines.push(
        `  ${service.name.padEnd(15)} ${service.url}${service.docs ? `  (docs: ${service.docs})` : ""}${ok ? "" : "  (not ready)"}`,
      );
    }
    if (mail) lines.push(`  mail inbox      ${mail.url}  (MailDev: verification and reset mails)`);
    lines.push(`  JWKS            ${authUrl}/.well-known/jwks.json`, "Ctrl-C stops everything.", "");
    process.stdout.write(lines.join("\n"));
  }
}

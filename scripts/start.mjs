#!/usr/bin/env node
/**
 * `npm start`: the whole local stack on embedded SQLite. Starts a mail catcher (MailDev, unless
 * SMTP_URL names a mail server) and the auth server, waits until it is ready, then the task APIs
 * (and the demo frontend) pointed at its JWKS, issuer and audience; prints the URLs; stops every
 * child on Ctrl-C / SIGTERM.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const authUrl = env.BETTER_AUTH_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`;
const issuer = env.JWT_ISSUER ?? new URL(authUrl).origin;
const audience = env.JWT_AUDIENCE ?? new URL(authUrl).origin;
const verifierEnv = {
  AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
  AUTH_ISSUER: issuer,
  AUTH_AUDIENCE: audience,
  CORS_ORIGINS: env.CORS_ORIGINS ?? "http://127.0.0.1:5173,http://localhost:5173",
};
const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const venvBin = path.join(root, "python-backend", ".venv", "bin");

/** Development mail: every verification and reset mail lands in MailDev's inbox. */
const mail = env.SMTP_URL
  ? undefined
  : {
      name: "mail (MailDev)",
      url: "http://127.0.0.1:1080",
      health: "http://127.0.0.1:1080/api/healthz",
      cmd: process.execPath,
      args: [
        path.join(root, "node_modules", "maildev", "dist", "bin", "maildev.js"),
        "--ip",
        "127.0.0.1",
        "--web-ip",
        "127.0.0.1",
        "-s",
        "1025",
        "-w",
        "1080",
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
    args: [tsx, "src/auth-server/src/main.ts"],
    env: mail ? { SMTP_URL: "smtp://127.0.0.1:1025" } : {},
  },
  {
    name: "python-backend",
    url: "http://127.0.0.1:8000",
    health: "http://127.0.0.1:8000/health",
    docs: "http://127.0.0.1:8000/docs",
    cmd: path.join(venvBin, "uvicorn"),
    args: ["task_api.main:app", "--host", "127.0.0.1", "--port", "8000", "--no-access-log"],
    cwd: "python-backend",
    env: {
      ...verifierEnv,
      TASKS_DATABASE_URL: env.TASKS_DATABASE_URL ?? `sqlite:///${path.join(root, "data", "tasks.sqlite")}`,
    },
  },
  {
    name: "hono-task-api",
    url: "http://127.0.0.1:8001",
    health: "http://127.0.0.1:8001/health",
    cmd: process.execPath,
    // The SDK is consumed from its TypeScript sources (package.json exports condition).
    args: ["--conditions=authbridge-source", "--import", "tsx", "examples/hono-task-api/src/main.ts"],
    env: {
      ...verifierEnv,
      PORT: "8001",
      TASKS_DATABASE_URL: `sqlite:///${path.join(root, "data", "tasks-ts.sqlite")}`,
    },
  },
  {
    name: "web",
    url: "http://127.0.0.1:5173",
    health: "http://127.0.0.1:5173/",
    cmd: process.execPath,
    args: [
      path.join(root, "node_modules", "vite", "bin", "vite.js"),
      "--host",
      "127.0.0.1",
      "--port",
      "5173",
      "--strictPort",
    ],
    cwd: "examples/web",
    env: { VITE_AUTH_URL: authUrl, VITE_API_URL: "http://127.0.0.1:8000" },
  },
];

const children = new Map();
let stopping = false;

function launch(service) {
  const child = spawn(service.cmd, service.args, {
    cwd: path.join(root, service.cwd ?? "."),
    env: { ...env, ...service.env },
    stdio: ["ignore", "pipe", "pipe"],
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
  for (const child of children.values()) child.kill("SIGTERM");
  setTimeout(() => {
    for (const child of children.values()) child.kill("SIGKILL");
    process.exit(code);
  }, 10_000).unref();
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

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

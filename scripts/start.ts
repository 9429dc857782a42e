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
import fs from "node:fs";
import path from "node:path";
// Subpaths: the stack's launcher loads neither the auth server nor a database driver itself.
import {
  authServerCommand,
  type Command,
  honoTaskApiCommand,
  maildevCommand,
  ROOT,
  uvicornCommand,
  viteCommand,
} from "@authbridge/harness/commands";
import { type Service, spawnService } from "@authbridge/harness/service";

const env = process.env;
const port = (name: string, fallback: number) => env[name] || String(fallback);
const ports = {
  auth: port("PORT", 3000),
  python: port("PYTHON_BACKEND_PORT", 8000),
  hono: port("HONO_TASK_API_PORT", 8001),
  web: port("WEB_PORT", 5173),
  smtp: port("MAILDEV_SMTP_PORT", 1025),
  mailWeb: port("MAILDEV_WEB_PORT", 1080),
};
const dataDir = path.resolve(ROOT, env.DATA_DIR || "data");
const authUrl = env.BETTER_AUTH_URL ?? `http://127.0.0.1:${ports.auth}`;
const issuer = env.JWT_ISSUER ?? new URL(authUrl).origin;
const audience = env.JWT_AUDIENCE ?? new URL(authUrl).origin;
const verifierEnv = {
  AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
  AUTH_REVOCATION_URL: `${authUrl}/api/auth/revocations`,
  AUTH_ISSUER: issuer,
  AUTH_AUDIENCE: audience,
  CORS_ORIGINS: env.CORS_ORIGINS ?? `http://127.0.0.1:${ports.web},http://localhost:${ports.web}`,
};

interface Entry extends Command {
  readonly name: string;
  readonly url: string;
  readonly health: string;
  readonly docs?: string;
  readonly env: Record<string, string>;
}

/** Development mail: every verification and reset mail lands in MailDev's inbox. */
const mail: Entry | undefined = env.SMTP_URL
  ? undefined
  : {
      name: "mail (MailDev)",
      url: `http://127.0.0.1:${ports.mailWeb}`,
      health: `http://127.0.0.1:${ports.mailWeb}/api/healthz`,
      ...maildevCommand(ports.smtp, ports.mailWeb),
      env: {},
    };

/** The mail catcher and the auth server first; the others start once it is ready. */
const services: Entry[] = [
  ...(mail ? [mail] : []),
  {
    name: "auth-server",
    url: authUrl,
    health: `${authUrl}/readyz`,
    ...authServerCommand(),
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
    ...uvicornCommand(ports.python),
    env: {
      ...verifierEnv,
      TASKS_DATABASE_URL: env.TASKS_DATABASE_URL ?? `sqlite:///${path.join(dataDir, "tasks.sqlite")}`,
    },
  },
  {
    name: "hono-task-api",
    url: `http://127.0.0.1:${ports.hono}`,
    health: `http://127.0.0.1:${ports.hono}/health`,
    // The SDK is consumed from its TypeScript sources (package.json exports condition).
    ...honoTaskApiCommand(),
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
    ...viteCommand(ports.web),
    env: { VITE_AUTH_URL: authUrl, VITE_API_URL: `http://127.0.0.1:${ports.python}` },
  },
];

const children = new Map<string, Service>();
let stopping = false;

function launch(entry: Entry): Service {
  const prefix = `[${entry.name}] `;
  const service = spawnService({
    name: entry.name,
    command: entry.command,
    args: entry.args,
    cwd: entry.cwd,
    env: entry.env,
    readyUrl: entry.health,
    // Its own process group, so a stop reaches every process it starts (uvicorn's workers, vite's).
    detached: true,
    onLine: (line) => process.stdout.write(`${prefix}${line}\n`),
  });
  service.child.on("exit", (code, signal) => {
    children.delete(entry.name);
    if (!stopping) {
      process.stderr.write(`${prefix}exited (${signal ?? code}); stopping the stack\n`);
      stop(1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.set(entry.name, service);
  return service;
}

const isReady = (service: Service) =>
  service.ready().then(
    () => true,
    () => false,
  );

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  if (children.size === 0) process.exit(code);
  // Each group gets SIGTERM, then SIGKILL after 10 s; exit once all are gone.
  for (const service of children.values()) void service.stop("SIGTERM", 10_000);
  setTimeout(() => process.exit(code), 11_000).unref();
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
// `npm start` killed by its PID may not pass the signal on (npm runs this through `sh -c`, and
// neither forwards SIGINT or SIGHUP): when npm or the shell between goes, so does the stack.
const ancestors = [process.ppid, parentOf(process.ppid)].filter((pid): pid is number => pid !== undefined && pid > 1);
setInterval(() => {
  if (ancestors.some((pid) => !isRunning(pid))) stop(0);
}, 500).unref();

/** The parent of `pid` (Linux /proc), or `undefined` where that cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const [auth, ...rest] = (mail ? services.slice(1) : services) as [Entry, ...Entry[]];
if (mail && !(await isReady(launch(mail)))) {
  process.stderr.write("[start] MailDev did not start: mails will not be caught\n");
}
if (!(await isReady(launch(auth)))) {
  if (!stopping) process.stderr.write("[start] the auth server did not become ready\n");
  stop(1);
} else {
  const ready = await Promise.all(rest.map((entry) => isReady(launch(entry))));
  if (!stopping) {
    const lines = ["", "authbridge is up:"];
    for (const entry of [auth, ...rest]) {
      const i = rest.indexOf(entry);
      const ok = i < 0 || ready[i];
      lines.push(
        `  ${entry.name.padEnd(15)} ${entry.url}${entry.docs ? `  (docs: ${entry.docs})` : ""}${ok ? "" : "  (not ready)"}`,
      );
    }
    if (mail) lines.push(`  mail inbox      ${mail.url}  (MailDev: verification and reset mails)`);
    lines.push(`  JWKS            ${authUrl}/.well-known/jwks.json`, "Ctrl-C stops everything.", "");
    process.stdout.write(lines.join("\n"));
  }
}

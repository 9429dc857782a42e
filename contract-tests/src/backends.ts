/**
 * The two task APIs under test, as child processes on free loopback ports or as containers
 * built from their Dockerfiles (testcontainers). Either way they are pointed at the in-process
 * auth server's JWKS, issuer and audience, with a 1 s unknown-kid cooldown so rotation and
 * outage tests run in seconds.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  freePort,
  honoTaskApiCommand,
  type Service,
  startServices,
  uvicornCommand,
  waitUntilReady,
} from "@authbridge/harness";
import type { AuthHandle } from "./auth.js";
import { AUDIENCE } from "./auth.js";
import type { RuntimeChoice } from "./runtime.js";

/** Task APIs build their verifier and database at start-up: slower in a container on a busy machine. */
const READY_MS = 90_000;

export interface Backend {
  readonly name: "python" | "typescript";
  readonly url: string;
  /** The serving process's id on this host (a container's process is one too). */
  readonly pid: number;
}

export interface Backends {
  readonly list: readonly Backend[];
  stop(): Promise<void>;
}

function verifierEnv(jwksHost: string, auth: AuthHandle): Record<string, string> {
  return {
    AUTH_JWKS_URL: `http://${jwksHost}:${auth.port}/.well-known/jwks.json`,
    // The defaults otherwise (a 5 s poll): the revocation bound is tested as users get it.
    AUTH_REVOCATION_URL: `http://${jwksHost}:${auth.port}/api/auth/revocations`,
    AUTH_ISSUER: auth.url,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_COOLDOWN_SECONDS: "1",
    CORS_ORIGINS: "http://app.contract.test",
    // As in production: the admin routes ask a person for a second factor.
    MFA_REQUIRED_ROLES: "admin",
  };
}

/** Where each task API keeps its tasks; unset: a fresh SQLite file per API. */
export interface BackendDatabases {
  readonly python?: string;
  readonly typescript?: string;
}

async function startProcesses(auth: AuthHandle, databases: BackendDatabases): Promise<Backends> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-backends-"));
  const env = verifierEnv("127.0.0.1", auth);
  const [pyPort, tsPort] = [await freePort(), await freePort()];
  const [py, ts] = (await startServices([
    {
      name: "python-backend",
      ...uvicornCommand(pyPort, { logLevel: "warning" }),
      env: { ...env, TASKS_DATABASE_URL: databases.python ?? `sqlite:///${path.join(dir, "tasks.sqlite")}` },
      readyUrl: `http://127.0.0.1:${pyPort}/health`,
      deadlineMs: READY_MS,
    },
    {
      name: "hono-task-api",
      ...honoTaskApiCommand(),
      env: {
        ...env,
        PORT: String(tsPort),
        HOST: "127.0.0.1",
        TASKS_DATABASE_URL: databases.typescript ?? `sqlite:///${path.join(dir, "tasks-ts.sqlite")}`,
      },
      readyUrl: `http://127.0.0.1:${tsPort}/health`,
      deadlineMs: READY_MS,
    },
  ]).catch((error) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  })) as [Service, Service];
  const stop = async () => {
    await Promise.all([py, ts].map((service) => service.stop("SIGTERM", 5000)));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const list: Backend[] = [
    { name: "python", url: `http://127.0.0.1:${pyPort}`, pid: py.pid },
    { name: "typescript", url: `http://127.0.0.1:${tsPort}`, pid: ts.pid },
  ];
  return { list, stop };
}

/**
 * The images built by `npm run images`, started by name with testcontainers. Host networking
 * keeps every request on 127.0.0.1 (no registry means no Ryuk and no sshd port forwarder), so
 * each container listens on a free loopback port passed as PORT.
 */
async function startContainers(
  auth: AuthHandle,
  images: { python: string; typescript: string },
  databases: BackendDatabases,
): Promise<Backends> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  // Host networking: the containers are on this host's loopback (and an engine started with
  // --bridge=none has no bridge gateway for testcontainers to look up).
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  const { GenericContainer } = await import("testcontainers");
  const env = verifierEnv("127.0.0.1", auth);
  const [pyPort, tsPort] = [await freePort(), await freePort()];
  const start = (image: string, port: number, extra: Record<string, string>) =>
    new GenericContainer(image)
      .withNetworkMode("host")
      .withEnvironment({ ...env, ...extra, HOST: "127.0.0.1", PORT: String(port) })
      .withStartupTimeout(READY_MS)
      .start();
  const started = await Promise.allSettled([
    start(images.python, pyPort, { TASKS_DATABASE_URL: databases.python ?? "sqlite:////data/tasks.sqlite" }),
    start(images.typescript, tsPort, { TASKS_DATABASE_URL: databases.typescript ?? "sqlite:////data/tasks-ts.sqlite" }),
  ]);
  const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.all(running.map((container) => container.stop({ timeout: 5_000 })));
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const logs = (index: number) => async () => {
    const chunks: string[] = [];
    const stream = await running[index]?.logs({ tail: 50 });
    stream?.on("data", (chunk: Buffer | string) => chunks.push(chunk.toString()));
    await new Promise((r) => setTimeout(r, 200));
    stream?.destroy();
    return chunks.join("");
  };
  const pidOf = (index: number) => {
    const id = running[index]?.getId() as string;
    return Number(execFileSync("docker", ["inspect", "-f", "{{.State.Pid}}", id], { encoding: "utf8" }).trim());
  };
  const list: Backend[] = [
    { name: "python", url: `http://127.0.0.1:${pyPort}`, pid: pidOf(0) },
    { name: "typescript", url: `http://127.0.0.1:${tsPort}`, pid: pidOf(1) },
  ];
  try {
    await Promise.all(
      list.map((backend, i) =>
        waitUntilReady(`${backend.url}/health`, {
          name: `${backend.name} container`,
          deadlineMs: READY_MS,
          output: logs(i),
        }),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { list, stop };
}

export function startBackends(
  choice: RuntimeChoice,
  auth: AuthHandle,
  databases: BackendDatabases = {},
): Promise<Backends> {
  if (choice.runtime !== "container") return startProcesses(auth, databases);
  if (!choice.images) throw new Error("container runtime without images");
  return startContainers(auth, choice.images, databases);
}

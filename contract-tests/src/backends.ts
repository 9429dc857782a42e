/**
 * The two task APIs under test, as child processes on free loopback ports or as containers
 * built from their Dockerfiles (testcontainers). Either way they are pointed at the in-process
 * auth server's JWKS, issuer and audience, with a 1 s unknown-kid cooldown so rotation and
 * outage tests run in seconds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AuthHandle } from "./auth.js";
import { AUDIENCE } from "./auth.js";
import type { Runtime } from "./runtime.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Backend {
  readonly name: "python" | "typescript";
  readonly url: string;
}

export interface Backends {
  readonly list: readonly Backend[];
  stop(): Promise<void>;
}

function verifierEnv(jwksHost: string, auth: AuthHandle): Record<string, string> {
  return {
    AUTH_JWKS_URL: `http://${jwksHost}:${auth.port}/.well-known/jwks.json`,
    AUTH_ISSUER: auth.url,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_COOLDOWN_SECONDS: "1",
    CORS_ORIGINS: "http://app.contract.test",
  };
}

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitHealthy(name: string, url: string, child?: ChildProcess, output?: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${output?.() ?? ""}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not healthy at ${url}/health within 90 s:\n${output?.() ?? ""}`);
}

async function startProcesses(auth: AuthHandle): Promise<Backends> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-backends-"));
  const env = { ...process.env, ...verifierEnv("127.0.0.1", auth) };
  const children: ChildProcess[] = [];
  const launch = (cmd: string, args: string[], cwd: string, extra: Record<string, string>) => {
    const child = spawn(cmd, args, { cwd, env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    children.push(child);
    return { child, output: () => output };
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [pyPort, tsPort] = [await freePort(), await freePort()];
    const uvicorn = path.join(ROOT, "python-backend", ".venv", "bin", "uvicorn");
    const py = launch(
      uvicorn,
      [
        "task_api.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        String(pyPort),
        "--no-access-log",
        "--log-level",
        "warning",
      ],
      path.join(ROOT, "python-backend"),
      { DATABASE_URL: `sqlite:///${path.join(dir, "tasks.sqlite")}` },
    );
    const ts = launch(
      process.execPath,
      ["--conditions=authbridge-source", "--import", "tsx", "examples/hono-task-api/src/main.ts"],
      ROOT,
      { PORT: String(tsPort), HOST: "127.0.0.1", TASKS_SQLITE_PATH: path.join(dir, "tasks-ts.sqlite") },
    );
    const list: Backend[] = [
      { name: "python", url: `http://127.0.0.1:${pyPort}` },
      { name: "typescript", url: `http://127.0.0.1:${tsPort}` },
    ];
    await Promise.all([
      waitHealthy("python-backend", list[0]?.url as string, py.child, py.output),
      waitHealthy("hono-task-api", list[1]?.url as string, ts.child, ts.output),
    ]);
    return { list, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startContainers(auth: AuthHandle): Promise<Backends> {
  const { GenericContainer, TestContainers, Wait } = await import("testcontainers");
  await TestContainers.exposeHostPorts(auth.port);
  const env = verifierEnv("host.testcontainers.internal", auth);
  const [pyImage, tsImage] = await Promise.all([
    GenericContainer.fromDockerfile(path.join(ROOT, "python-backend")).build("authbridge/python-backend:contract", {
      deleteOnExit: false,
    }),
    GenericContainer.fromDockerfile(ROOT, "examples/hono-task-api/Dockerfile").build(
      "authbridge/hono-task-api:contract",
      { deleteOnExit: false },
    ),
  ]);
  const started = await Promise.all([
    pyImage
      .withEnvironment({ ...env, DATABASE_URL: "sqlite:////data/tasks.sqlite" })
      .withExposedPorts(8000)
      .withWaitStrategy(Wait.forHttp("/health", 8000).withStartupTimeout(90_000))
      .start(),
    tsImage
      .withEnvironment({ ...env, PORT: "8001", HOST: "0.0.0.0" })
      .withExposedPorts(8001)
      .withWaitStrategy(Wait.forHttp("/health", 8001).withStartupTimeout(90_000))
      .start(),
  ]);
  const [py, ts] = started;
  return {
    list: [
      { name: "python", url: `http://${py.getHost()}:${py.getMappedPort(8000)}` },
      { name: "typescript", url: `http://${ts.getHost()}:${ts.getMappedPort(8001)}` },
    ],
    stop: async () => {
      await Promise.all(started.map((container) => container.stop()));
    },
  };
}

export function startBackends(runtime: Runtime, auth: AuthHandle): Promise<Backends> {
  return runtime === "container" ? startContainers(auth) : startProcesses(auth);
}

/**
 * One way to run a service for a test, the bench or `npm start`: spawn it, wait until a URL
 * answers (noticing when it exits first, with a deadline), keep what it wrote, and stop it with
 * its whole process group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { eventually } from "./eventually.js";

export interface ServiceSpec {
  /** For messages: "auth-server", "uvicorn". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Layered over this process's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Polled until it answers 2xx; without one the service counts as ready once spawned. */
  readonly readyUrl?: string;
  /** How long `ready()` waits. Default 60 s. */
  readonly deadlineMs?: number;
  /** Its own process group, so a stop reaches every process it starts (uvicorn's, vite's). */
  readonly detached?: boolean;
  /** Each line it writes, as it writes it (`npm start` prefixes and prints them). */
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
  /** The last 8000 characters it wrote (stdout and stderr). */
  output(): string;
  /** Everything it wrote to stdout. */
  stdout(): string;
  /** Resolves when `readyUrl` answers 2xx; rejects, with its output, if it exits or the deadline passes. */
  ready(): Promise<void>;
  /** Sends `signal` (to the group when detached), then SIGKILL after `graceMs`; resolves once it exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const OUTPUT_TAIL = 8000;

/** Starts `spec` and returns at once; `await service.ready()` to wait for it. */
export function spawnService(spec: ServiceSpec): Service {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: withoutUndefined({ ...process.env, ...spec.env }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: spec.detached ?? false,
  });
  let tail = "";
  let stdout = "";
  const keep = (stream: "stdout" | "stderr") => {
    let partial = "";
    return (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-OUTPUT_TAIL);
      if (stream === "stdout") stdout += text;
      if (!spec.onLine) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) spec.onLine(line, stream);
    };
  };
  child.stdout?.on("data", keep("stdout"));
  child.stderr?.on("data", keep("stderr"));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const signal = (sig: NodeJS.Signals) => {
    if (!running()) return;
    try {
      if (spec.detached && child.pid) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      child.kill(sig);
    }
  };
  const service: Service = {
    name: spec.name,
    child,
    pid: child.pid ?? -1,
    exited,
    output: () => tail,
    stdout: () => stdout,
    ready: async () => {
      if (!spec.readyUrl) return;
      await waitUntilReady(spec.readyUrl, {
        name: spec.name,
        deadlineMs: spec.deadlineMs,
        exitedWith: () => (running() ? undefined : `${child.signalCode ?? child.exitCode}`),
        output: () => tail,
      });
    },
    stop: async (sig = "SIGTERM", graceMs = 10_000) => {
      signal(sig);
      const timer = setTimeout(() => signal("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return service;
}

/** `spawnService` and `ready()`; a service that never becomes ready is stopped before the error. */
export async function startService(spec: ServiceSpec): Promise<Service> {
  const service = spawnService(spec);
  try {
    await service.ready();
  } catch (error) {
    await service.stop("SIGKILL");
    throw error;
  }
  return service;
}

export interface ReadyOptions {
  readonly name?: string;
  /** Default 60 s. */
  readonly deadlineMs?: number | undefined;
  /** Why the service can no longer answer (its exit code), or `undefined` while it runs. */
  readonly exitedWith?: () => string | undefined;
  /** What to put in the error (the service's output, a container's logs). */
  readonly output?: () => string | Promise<string>;
}

/** Polls `url` until it answers 2xx (also a container, or any server this process did not spawn). */
export async function waitUntilReady(url: string, options: ReadyOptions = {}): Promise<void> {
  const name = options.name ?? url;
  await eventually(
    `${name} did not answer ${url}`,
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      return res.ok ? true : undefined;
    },
    {
      deadlineMs: options.deadlineMs,
      abort: () => {
        const exit = options.exitedWith?.();
        return exit === undefined ? undefined : `${name} exited (${exit}) before it was ready`;
      },
      ...(options.output ? { output: options.output } : {}),
    },
  );
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Several services at once; if any fails to become ready, those that did are stopped before the error. */
export async function startServices(specs: readonly ServiceSpec[]): Promise<Service[]> {
  const started = await Promise.allSettled(specs.map((spec) => startService(spec)));
  const running = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(running.map((service) => service.stop()));
    throw failed.reason;
  }
  return running;
}

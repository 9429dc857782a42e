/**
 * Which runtime the task APIs run under: `CONTRACT_RUNTIME=auto|container|process`.
 *
 * - `container`: the images `authbridge/python-backend` and `authbridge/hono-task-api` (tag
 *   `CONTRACT_IMAGE_TAG`, default `local`, built by `npm run images`) must be present and a
 *   Docker engine must answer; anything less fails the run, never a silent fallback.
 * - `auto`: containers when the engine answers and both images are present; processes
 *   otherwise, with the reason in one line. An unreachable registry never fails the run.
 * - `process`: uvicorn and the twin as child processes.
 *
 * Resolved once per test run (vitest globalSetup) and handed to every suite.
 */
import { spawnSync } from "node:child_process";

export type Runtime = "container" | "process";

export interface RuntimeChoice {
  readonly runtime: Runtime;
  /** Image references the container runtime starts (absent for processes). */
  readonly images?: { readonly python: string; readonly typescript: string };
  /** One line for the log: which runtime and why. */
  readonly line: string;
}

export function imageNames(env: NodeJS.ProcessEnv = process.env) {
  const tag = env.CONTRACT_IMAGE_TAG || "local";
  return { python: `authbridge/python-backend:${tag}`, typescript: `authbridge/hono-task-api:${tag}` };
}

function docker(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync("docker", args, { encoding: "utf8", timeout: 10_000 });
  if (result.error) return { ok: false, out: result.error.message };
  return { ok: result.status === 0, out: (result.status === 0 ? result.stdout : result.stderr).trim() };
}

/** Why containers cannot be used, or the images' short ids when they can. */
function probeContainers(images: { python: string; typescript: string }): { reason?: string; ids?: string[] } {
  // Containers share the host's network; Docker Desktop's VM does not put them on this loopback.
  if (process.platform !== "linux")
    return { reason: `host networking needs a Linux Docker engine (${process.platform})` };
  const engine = docker(["version", "--format", "{{.Server.Version}}"]);
  if (!engine.ok)
    return { reason: `no Docker engine answers (${engine.out.split("\n")[0] || "docker version failed"})` };
  const ids: string[] = [];
  for (const image of [images.python, images.typescript]) {
    const inspect = docker(["image", "inspect", "--format", "{{.Id}}", image]);
    if (!inspect.ok) return { reason: `image ${image} is not built (npm run images builds it)` };
    ids.push(inspect.out.replace(/^sha256:/, "").slice(0, 12));
  }
  return { ids };
}

export function resolveRuntime(requested = process.env.CONTRACT_RUNTIME || "auto"): RuntimeChoice {
  if (requested === "process") {
    return { runtime: "process", line: "contract runtime: process (CONTRACT_RUNTIME=process)" };
  }
  if (requested !== "auto" && requested !== "container") {
    throw new Error(`CONTRACT_RUNTIME must be auto, container or process, got ${requested}`);
  }
  const images = imageNames();
  const probe = probeContainers(images);
  if (probe.reason) {
    if (requested === "container") throw new Error(`CONTRACT_RUNTIME=container, but ${probe.reason}`);
    return { runtime: "process", line: `contract runtime: process (${probe.reason})` };
  }
  const [py, ts] = probe.ids ?? [];
  return {
    runtime: "container",
    images,
    line: `contract runtime: container (python-backend image ${py}, hono-task-api image ${ts})`,
  };
}

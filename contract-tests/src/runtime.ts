/**
 * Which runtime the backends run under: `CONTRACT_RUNTIME=auto|container|process`. `auto`
 * uses containers when a Docker engine answers and processes otherwise, and says which.
 */
export type Runtime = "container" | "process";

export async function resolveRuntime(requested = process.env.CONTRACT_RUNTIME ?? "auto"): Promise<Runtime> {
  if (requested === "process") return "process";
  let reason: string | undefined;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (requested === "container") {
    if (reason) throw new Error(`CONTRACT_RUNTIME=container but no Docker engine answers: ${reason}`);
    return "container";
  }
  if (requested !== "auto") throw new Error(`CONTRACT_RUNTIME must be auto, container or process, got ${requested}`);
  const runtime: Runtime = reason ? "process" : "container";
  console.log(`[contract] runtime: ${runtime}${reason ? ` (no Docker engine: ${reason})` : " (Docker engine found)"}`);
  return runtime;
}

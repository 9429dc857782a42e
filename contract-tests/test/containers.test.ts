/**
 * What only a container can show, on the python-backend image as users run it: it runs as a
 * non-root user, its SQLite file survives a restart on its volume, and the Dockerfile's
 * HEALTHCHECK turns healthy. Runs under the container runtime (CI); on processes there is no
 * image to look at, and the run says so.
 */
import { spawnSync } from "node:child_process";
import { eventually, freePort, waitUntilReady } from "@authbridge/harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AuthHandle, signUpUser, startAuth, type User } from "../src/auth.js";

const choice = inject("contractRuntime");
if (choice.runtime !== "container") console.log(`[skip] container image tests: ${choice.line}`);

function docker(...args: string[]): string {
  const result = spawnSync("docker", args, { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${result.stderr || result.error}`);
  return result.stdout.trim();
}

describe.runIf(choice.runtime === "container")("python-backend image", () => {
  const suffix = `${process.pid}-${Date.now()}`;
  const name = `authbridge-contract-py-${suffix}`;
  const volume = `authbridge-contract-data-${suffix}`;
  let auth: AuthHandle;
  let user: User;
  let url: string;

  beforeAll(async () => {
    auth = await startAuth();
    user = await signUpUser(auth.url, "container");
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    docker(
      "run", "-d", "--name", name, "--network", "host", "-v", `${volume}:/data`,
      "-e", `PORT=${port}`, "-e", "HOST=127.0.0.1",
      "-e", `AUTH_JWKS_URL=${auth.url}/api/auth/jwks`, "-e", `AUTH_ISSUER=${auth.url}`, "-e", "AUTH_AUDIENCE=task-api",
      "-e", `AUTH_REVOCATION_URL=${auth.url}/api/auth/revocations`,
      choice.images?.python as string,
    ); // biome-ignore format: one flag and its value per pair reads best
    await waitUntilReady(`${url}/health`, { name: "python-backend container" });
  }, 180_000);

  afterAll(async () => {
    spawnSync("docker", ["rm", "-f", "-v", name]);
    spawnSync("docker", ["volume", "rm", "-f", volume]);
    await auth?.close();
  });

  it("runs as a non-root user", () => {
    expect(docker("exec", name, "id", "-u")).not.toBe("0");
    expect(docker("exec", name, "id", "-un")).toBe("app");
  });

  it("keeps its SQLite file on the volume across a restart", async () => {
    const headers = { authorization: `Bearer ${user.jwt}`, "content-type": "application/json" };
    const created = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "kept" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    docker("restart", "-t", "5", name);
    const read = await eventually("the restarted container answers", async () => {
      const res = await fetch(`${url}/api/tasks/${id}`, { headers });
      return res.status === 200 ? ((await res.json()) as { id: string; title: string }) : undefined;
    });
    expect(read).toMatchObject({ id, title: "kept" });
  }, 90_000);

  it("turns healthy by its own HEALTHCHECK", async () => {
    expect(docker("inspect", "-f", "{{.Config.Healthcheck.Test}}", name)).toContain("/health");
    // The Dockerfile's interval is 10 s: the first verdict comes after it.
    const status = await eventually(
      "health status healthy",
      async () => {
        const s = docker("inspect", "-f", "{{.State.Health.Status}}", name);
        return s === "healthy" ? s : undefined;
      },
      { intervalMs: 250 },
    );
    expect(status).toBe("healthy");
  }, 90_000);
});

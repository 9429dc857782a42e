/**
 * `npm start` as a developer runs it, on free ports and a scratch data folder: the whole stack
 * comes up, and stopping `npm start` by its PID (SIGTERM, SIGINT as Ctrl-C, SIGHUP as a closed
 * terminal) stops every process it started, grandchildren included; nothing keeps listening.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eventually, freePort, ROOT, spawnService } from "@authbridge/harness";
import { describe, expect, it } from "vitest";

/** Every process below `pid`, from /proc (children of children too). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of parents.get(stack.pop() as number) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Waits until `check` holds (the stack's own output explains a failure). */
const until = (check: () => boolean | Promise<boolean>, ms: number, what: string, output: () => string) =>
  eventually(what, async () => ((await check()) ? true : undefined), {
    deadlineMs: ms,
    intervalMs: 200,
    output: () => output().slice(-3000),
  });

/** Tries with fresh ports when one of them was taken (EADDRINUSE) between choosing and binding it. */
const ATTEMPTS = 3;

async function startStack(attempt = 1): Promise<{
  child: ReturnType<typeof spawnService>["child"];
  ports: number[];
  dataDir: string;
  output: () => string;
}> {
  const names = [
    "PORT",
    "PYTHON_BACKEND_PORT",
    "HONO_TASK_API_PORT",
    "WEB_PORT",
    "MAILDEV_SMTP_PORT",
    "MAILDEV_WEB_PORT",
  ];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-npm-start-"));
  const service = spawnService({
    name: "npm start",
    command: "npm",
    args: ["start"],
    cwd: ROOT,
    env: {
      SMTP_URL: undefined,
      BETTER_AUTH_URL: undefined,
      ...ports,
      DATA_DIR: dataDir,
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
    },
  });
  const output = () => service.output();
  const ended = () =>
    service.child.exitCode !== null || service.child.signalCode !== null ? "npm start exited" : undefined;
  try {
    await eventually(
      "the stack did not come up",
      async () => (service.stdout().includes("authbridge is up") ? true : undefined),
      {
        deadlineMs: 120_000,
        intervalMs: 200,
        abort: ended,
        output: () => output().slice(-3000),
      },
    );
  } catch (error) {
    // Another suite bound one of the chosen ports in the meantime: the stack stopped itself.
    if (attempt >= ATTEMPTS || !output().includes("EADDRINUSE")) throw error;
    await service.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    return startStack(attempt + 1);
  }
  return { child: service.child, ports: Object.values(ports).map(Number), dataDir, output };
}

describe("npm start", () => {
  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "stops its whole process tree when npm gets %s",
    async (signal) => {
      const stack = await startStack();
      try {
        const tree = descendants(stack.child.pid as number);
        // npm, the start script, MailDev, the auth server, uvicorn, the twin and vite at least.
        expect(tree.length).toBeGreaterThanOrEqual(6);
        for (const port of stack.ports) expect(await listening(port), `port ${port} before`).toBe(true);

        stack.child.kill(signal);
        await until(() => tree.every((pid) => !alive(pid)), 20_000, "processes still running", stack.output);
        for (const port of stack.ports) expect(await listening(port), `port ${port} after`).toBe(false);
      } finally {
        // Whatever is left (a failed run): gone, or going, by now.
        for (const pid of descendants(stack.child.pid as number)) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // exited meanwhile
          }
        }
        stack.child.kill("SIGKILL");
        fs.rmSync(stack.dataDir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});

/**
 * Free loopback ports. Chosen at random below Linux's ephemeral range (32768+), where no outgoing
 * connection of a busy test run is given one in the meantime.
 */
import net from "node:net";

const LOWEST = 20_000;
const SPAN = 12_000;
const ATTEMPTS = 50;

const randomPort = () => LOWEST + Math.floor(Math.random() * SPAN);

/**
 * Binds `listen` to a free port and keeps it: the way to start a server in this process, since a
 * port merely probed as free can be taken before the server binds it. `listen` must reject with
 * EADDRINUSE when the port is taken; another port is tried then.
 *
 * @example
 * const { port, value: server } = await listenOnFreePort((p) => startSmtp(p));
 */
export async function listenOnFreePort<T>(listen: (port: number) => Promise<T>): Promise<{ port: number; value: T }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = randomPort();
    try {
      return { port, value: await listen(port) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= ATTEMPTS) throw error;
    }
  }
}

/**
 * A port for a child process (or a container) to listen on a moment later: checked by binding it,
 * then released. Prefer `listenOnFreePort` for a server in this process.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const { port, value: probe } = await listenOnFreePort((candidate) => listenOn(net.createServer(), candidate, host));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `server.listen(port, host)` as a promise that rejects with the listen error (EADDRINUSE). */
export function listenOn<S extends net.Server>(server: S, port: number, host = "127.0.0.1"): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

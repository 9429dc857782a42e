/**
 * A body cap for Hono apps that answers the contract's 413, and the one thing Hono's own
 * `bodyLimit` does not do: before a refusal (this 413, or `requireUser`'s 401 before the body)
 * the rest of the body is read and thrown away, at most `DRAIN_MAX_BYTES` within
 * `DRAIN_SECONDS`. A server that closes a connection with unread data makes the client's kernel
 * see a reset, and the client never reads the answer it was sent. Nothing drained is kept.
 * Python's `authbridge/body_limit.py` is the same limit for ASGI apps.
 */
import type { Context, MiddlewareHandler } from "hono";
import { readCapped } from "./read-capped.js";

/** Most of a refused body read and discarded so that the client gets the answer, bytes. */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
/** Longest time spent discarding a refused body, seconds. */
export const DRAIN_SECONDS = 5;
/** The 413 answer's `detail` (docs/contract.md, as Python writes it). */
export const TOO_LARGE_DETAIL = "The request body is too large";

/** What `@hono/node-server` puts on `c.env.incoming`: Node's request stream. */
interface NodeIncoming {
  readonly readableEnded: boolean;
  readonly destroyed: boolean;
  on(event: "data", listener: (chunk: { length: number }) => void): unknown;
  on(event: "end" | "error" | "close", listener: () => void): unknown;
  removeAllListeners(event: "data"): unknown;
  resume(): unknown;
}

/**
 * Reads and discards what is left of the request's body (from `reader` if one is already reading
 * it), bounded in bytes and time; never throws. On Node the socket's own stream is drained (no
 * Web stream in between, so nothing piles up in memory); a body already read elsewhere is left.
 */
export async function discardBody(c: Context, reader?: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), DRAIN_SECONDS * 1000);
  });
  try {
    const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
    if (!reader && incoming && typeof incoming.resume === "function") {
      if (incoming.readableEnded || incoming.destroyed) return;
      await Promise.race([drainNode(incoming), timeUp]);
      return;
    }
    await Promise.race([drainWeb(c.req.raw, reader), timeUp]);
  } finally {
    clearTimeout(timer);
  }
}

function drainNode(incoming: NodeIncoming): Promise<void> {
  return new Promise((resolve) => {
    let drained = 0;
    incoming.on("data", (chunk) => {
      drained += chunk.length;
      if (drained >= DRAIN_MAX_BYTES) {
        incoming.removeAllListeners("data");
        resolve();
      }
    });
    for (const event of ["end", "error", "close"] as const) incoming.on(event, () => resolve());
    incoming.resume();
  });
}

async function drainWeb(request: Request, reader?: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let source = reader;
  if (!source) {
    if (!request.body || request.body.locked || request.bodyUsed) return;
    source = request.body.getReader();
  }
  try {
    for (let drained = 0; drained < DRAIN_MAX_BYTES; ) {
      const chunk = await source.read();
      if (chunk.done) return;
      drained += chunk.value.byteLength;
    }
  } catch {
    // The client went away: nothing left to discard.
  }
}

/** The contract's 413 (`payload_too_large`), with `Connection: close`. */
function tooLarge(): Response {
  return new Response(JSON.stringify({ detail: TOO_LARGE_DETAIL, code: "payload_too_large" }), {
    status: 413,
    // A keep-alive client must not send its next request on a socket the server is closing.
    headers: { "content-type": "application/json", connection: "close" },
  });
}

/**
 * What `bodyLimit` takes.
 *
 * @example
 * app.post("/api/uploads", requireUser(verifier), bodyLimit({ maxBytes: 50 * 1024 * 1024 }), upload);
 */
export interface BodyLimitOptions {
  /** Largest body, bytes, declared (`Content-Length`) or streamed (chunked). */
  maxBytes: number;
}

/**
 * Refuses a body over `maxBytes` with the contract's 413 before a handler reads it. Mount it
 * after `requireUser`, so authentication comes before the body.
 *
 * @example
 * app.use("/api/*", requireUser(verifier), bodyLimit({ maxBytes: 64 * 1024 }));
 */
export function bodyLimit({ maxBytes }: BodyLimitOptions): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError("authbridge: bodyLimit's maxBytes must be a positive whole number of bytes");
  }
  return async (c, next) => {
    const request = c.req.raw;
    // Headers first: on Node, touching `request.body` wraps the socket's stream in a Web stream,
    // which then holds the data a discard must drain from the socket itself.
    const declared = request.headers.get("content-length");
    if (declared !== null && !request.headers.has("transfer-encoding")) {
      if (/^\d+$/.test(declared) && Number(declared) <= maxBytes) return next();
      await discardBody(c);
      return tooLarge();
    }
    if (!request.body) return next();
    // Streamed (chunked, or HTTP/2 without a length): counted as it arrives, kept up to the cap.
    const reader = request.body.getReader();
    const body = await readCapped(reader, maxBytes);
    if (!body) {
      await discardBody(c, reader);
      return tooLarge();
    }
    c.req.raw = new Request(request, { body });
    return next();
  };
}

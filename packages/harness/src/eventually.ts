/** Polling with a deadline: the one loop behind every "wait until it answers" of the harness. */

export interface EventuallyOptions {
  /** Default 60 s. */
  readonly deadlineMs?: number | undefined;
  /** Default 100 ms. */
  readonly intervalMs?: number;
  /** Why waiting longer is pointless (a process exited), or `undefined` to keep waiting. */
  readonly abort?: () => string | undefined;
  /** Appended to the error (a service's output, a container's logs). */
  readonly output?: () => string | Promise<string>;
}

/**
 * The first value `probe` resolves to other than `undefined`; a probe that throws counts as
 * "not yet". Throws `<what> within N s` (or the abort reason) with `output` appended.
 *
 * @example
 * const row = await eventually("the restarted container answers", async () => (await read()) ?? undefined);
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? 60_000;
  const deadline = Date.now() + deadlineMs;
  const failure = async (why: string) => new Error(`${why}:\n${(await options.output?.()) ?? ""}`);
  for (;;) {
    const aborted = options.abort?.();
    if (aborted !== undefined) throw await failure(aborted);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw await failure(`${what} within ${deadlineMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

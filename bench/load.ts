/** Load generation for the bench: autocannon with a 1 s warm-up, and what each row keeps of a run. */
import autocannon, { type Result } from "autocannon";

/** Seconds per measured run (`BENCH_LOAD_SECONDS`, default 5). */
export const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type LoadResult = Result;

/** One measured run of `LOAD_SECONDS` after a 1 s warm-up at the same concurrency. */
export function load(options: LoadOptions): Promise<LoadResult> {
  return autocannon({
    ...options,
    duration: LOAD_SECONDS,
    warmup: { connections: options.connections, duration: 1 },
  });
}

/** Answers that were not 2xx, failed or timed out, across runs. */
export const failures = (results: readonly LoadResult[]) =>
  results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);

export const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Progress on stdout, for the person running the bench. */
export const say = (line: string) => process.stdout.write(`${line}\n`);

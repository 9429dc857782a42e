/**
 * JSON-lines logger. Callers pass structured fields, never request bodies or headers, so a
 * password, session token or JWT has no path into the log.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type LogSink = (line: string) => void;

let pending: string[] = [];
let flushScheduled = false;

function flushStdout(): void {
  flushScheduled = false;
  if (pending.length === 0) return;
  const chunk = `${pending.join("\n")}\n`;
  pending = [];
  process.stdout.write(chunk);
}

/**
 * Lines reach stdout once per turn of the event loop, in one write: under load a write per line
 * cost a token request a third of its time. Whatever is pending is written on exit.
 */
const bufferedStdout: LogSink = (line) => {
  pending.push(line);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStdout);
  }
};
process.once("exit", flushStdout);

/**
 * @example
 * const log = createLogger("info");
 * log.info("listening", { port: 3000 });
 */
export function createLogger(level: LogLevel, sink: LogSink = bufferedStdout): Logger {
  const threshold = ORDER[level];
  const write = (lvl: Exclude<LogLevel, "silent">) => (msg: string, fields?: LogFields) => {
    if (ORDER[lvl] < threshold) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/**
 * `npm run bench`: every measurement in turn, then docs/benchmarks.md with the machine and the
 * date. `npm run bench -- --only <name>` runs one and prints it, leaving the report untouched.
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "@authbridge/harness";
import { say } from "./load.js";
import { authServers } from "./measure/auth-servers.js";
import { enumerationTiming } from "./measure/enumeration.js";
import { fastapiLoad } from "./measure/fastapi-load.js";
import { revocationFeed } from "./measure/revocations.js";
import { taskApis } from "./measure/task-apis.js";
import { nodeVerify, pythonVerify } from "./measure/verify.js";
import { enumerationRows, overheadOf, renderReport } from "./report.js";

const ONLY: Record<string, () => Promise<string>> = {
  enumeration: async () => enumerationRows(await enumerationTiming()),
  verify: async () => JSON.stringify({ node: nodeVerify(), python: pythonVerify() }, null, 2),
  "fastapi-load": async () => JSON.stringify(await fastapiLoad(), null, 2),
  "task-apis": async () => JSON.stringify(await taskApis(), null, 2),
  "auth-servers": async () => JSON.stringify(await authServers(), null, 2),
  revocations: async () => JSON.stringify(await revocationFeed(), null, 2),
};

const flag = process.argv.indexOf("--only");
if (flag >= 0) {
  const name = process.argv[flag + 1] ?? "";
  const run = ONLY[name];
  if (!run) {
    process.stderr.write(`bench: --only takes one of: ${Object.keys(ONLY).join(", ")}\n`);
    process.exit(64);
  }
  say(await run());
  process.exit(0);
}

const figures = {
  nodeVerify: nodeVerify(),
  pythonVerify: pythonVerify(),
  load: await fastapiLoad(),
  apis: await taskApis(),
  authServers: await authServers(),
  enumeration: await enumerationTiming(),
  revocations: await revocationFeed(),
};
const [open, guarded] = figures.load;
fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
fs.writeFileSync(path.join(ROOT, "docs", "benchmarks.md"), renderReport(figures));
const overhead = open && guarded ? overheadOf(open, guarded) : Number.NaN;
say(`[bench] wrote docs/benchmarks.md (auth overhead ${overhead.toFixed(1)} %)`);

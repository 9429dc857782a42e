/**
 * What following a full revocation feed costs a TypeScript verifier in memory: the heap after
 * `warm()` fetched and parsed the list at REVOCATION_URL, minus the heap before (both after a
 * full GC; run with --expose-gc). Prints `{"bytes": n}` on its last line.
 */
import { createVerifier } from "@authbridge/verifier";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
const url = process.env.REVOCATION_URL as string;
const verifier = createVerifier({ jwks: { keys: [] }, issuer: "i", audience: "a", revocationUrl: url });
gc();
const before = process.memoryUsage().heapUsed;
if (!(await verifier.revocations?.warm())) throw new Error(`no list from ${url}: ${verifier.revocations?.lastError}`);
gc();
const after = process.memoryUsage().heapUsed;
console.log(JSON.stringify({ bytes: after - before }));

/**
 * The one place the SDK asks whether it runs on Node: `node:crypto` verifies Ed25519 about twice
 * as fast as WebCrypto and `node:buffer` decodes base64url natively. Elsewhere (edge runtimes,
 * browsers) both are undefined and the WebCrypto / jose paths are used.
 */
type GetBuiltin = (id: string) => unknown;
const proc = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process;

export const nodeCrypto = proc?.getBuiltinModule?.("node:crypto") as typeof import("node:crypto") | undefined;
export const nodeBuffer = proc?.getBuiltinModule?.("node:buffer") as typeof import("node:buffer") | undefined;

/** The committed vectors are exactly what the generator writes (keys are seeded, Ed25519 is deterministic). */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { renderVectors, VECTORS_FILE } from "../vectors/generate.js";

describe("contract-tests/vectors/vectors.json", () => {
  it("is up to date with the generator (npm run vectors)", () => {
    expect(fs.readFileSync(VECTORS_FILE, "utf8")).toBe(renderVectors());
  });
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources in tests (see package.json exports).
  resolve: { conditions: ["authbridge-source"] },
  ssr: { resolve: { conditions: ["authbridge-source"] } },
  test: {
    include: ["src/**/test/**/*.test.ts", "examples/**/test/**/*.test.ts", "contract-tests/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ["contract-tests/src/global-setup.ts"],
    // Suites start real servers; two cores run two files at a time comfortably.
    maxWorkers: 2,
  },
});

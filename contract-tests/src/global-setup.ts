/**
 * vitest globalSetup: decides the contract runtime once for the whole run, prints the one line
 * that says which, and hands the choice to every suite through `inject("contractRuntime")`.
 */
import type { TestProject } from "vitest/node";
import { type RuntimeChoice, resolveRuntime } from "./runtime.js";

declare module "vitest" {
  export interface ProvidedContext {
    contractRuntime: RuntimeChoice;
  }
}

export default function setup(project: TestProject): void {
  const choice = resolveRuntime();
  console.log(choice.line);
  project.provide("contractRuntime", choice);
}

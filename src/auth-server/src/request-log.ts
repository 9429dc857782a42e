/**
 * What a request log line names the request by: its route pattern, never the raw path. Better
 * Auth puts secrets in some paths (`/reset-password/<token>`, OAuth `/callback/<id>`), and a
 * reset token in a log is an account for whoever reads the log. A path that matches no route
 * (a typo, a probe, a mangled link that may still carry a secret) is logged as `(unmatched)`.
 */

const UNMATCHED = "(unmatched)";

/** Compiles the server's routes (static paths and `:param` patterns) into one lookup. */
export function routeNamer(routes: readonly string[]): (path: string) => string {
  const exact = new Set<string>();
  const patterns: { pattern: string; regex: RegExp }[] = [];
  for (const route of routes) {
    if (!route.includes(":") && !route.includes("*")) {
      exact.add(route);
      continue;
    }
    const source = route
      .split("/")
      .map((segment) =>
        segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    patterns.push({ pattern: route, regex: new RegExp(`^${source}/?$`) });
  }
  return (path) => {
    if (exact.has(path)) return path;
    for (const { pattern, regex } of patterns) if (regex.test(path)) return pattern;
    return UNMATCHED;
  };
}

/** Better Auth's endpoints (every plugin's too) as routes under `basePath`. */
export function betterAuthRoutes(api: Record<string, unknown>, basePath: string): string[] {
  const routes: string[] = [];
  for (const endpoint of Object.values(api)) {
    const path = (endpoint as { path?: unknown } | null)?.path;
    if (typeof path === "string" && path.startsWith("/")) routes.push(`${basePath}${path}`);
  }
  return routes;
}

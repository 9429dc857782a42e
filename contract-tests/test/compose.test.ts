/**
 * docker-compose.yml against the contract: services, ports, env names, health-gated start-up,
 * no committed secret. Validated with `docker-compose config` where the command exists
 * (Debian's docker-compose package), parsed directly otherwise.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "../..");
const file = path.join(root, "docker-compose.yml");
const secrets = { BETTER_AUTH_SECRET: "s".repeat(40), POSTGRES_PASSWORD: "compose-test-password" };
const hasCompose = spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0;
if (!hasCompose)
  console.log("[skip] docker-compose is not installed: the file is checked without `docker-compose config`");

interface Service {
  profiles?: string[];
  image?: string;
  environment?: Record<string, string>;
  ports?: (string | { target: number; published: number | string })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  build?: unknown;
}

function resolved(): { services: Record<string, Service> } {
  if (hasCompose) {
    const out = execFileSync("docker-compose", ["-f", file, "config"], {
      env: { ...process.env, ...secrets },
      encoding: "utf8",
    });
    return parse(out);
  }
  const text = fs.readFileSync(file, "utf8").replace(/\$\{(\w+)(?::?[-?][^}]*)?\}/g, (_m, name: string) => {
    const defaults = /\$\{\w+:-([^}]*)\}/;
    return secrets[name as keyof typeof secrets] ?? defaults.exec(_m)?.[1] ?? "";
  });
  return parse(text, { merge: true });
}

const publishedPorts = (service: Service) =>
  (service.ports ?? []).map((p) => (typeof p === "string" ? Number(p.split(":").at(-2)) : Number(p.published)));

describe("docker-compose.yml", () => {
  const { services } = resolved();

  const byDefault = Object.keys(services).filter((name) => !services[name]?.profiles?.length);
  const scale = Object.keys(services).filter((name) => services[name]?.profiles?.includes("scale"));

  it("defines PostgreSQL, the auth server and both task APIs", () => {
    expect(byDefault.sort()).toEqual(["auth-server", "hono-task-api", "postgres", "python-backend"]);
  });

  it("has a scale profile: Redis, a second auth-server replica and nginx in front of both", () => {
    expect(scale.sort()).toEqual(["auth-lb", "auth-server-2", "redis"]);
    const replica = services["auth-server-2"] as Service;
    expect(replica.environment).toEqual(services["auth-server"]?.environment);
    expect(replica.depends_on?.redis?.condition).toBe("service_healthy");
    expect(publishedPorts(replica)).toEqual([]);
    const lb = services["auth-lb"] as Service;
    expect(publishedPorts(lb)).toEqual([3100]);
    expect(lb.depends_on?.["auth-server"]?.condition).toBe("service_healthy");
    expect(lb.depends_on?.["auth-server-2"]?.condition).toBe("service_healthy");
    const conf = fs.readFileSync(path.join(root, "scripts/containers/nginx/auth-lb.conf"), "utf8");
    expect(conf).toMatch(/server auth-server:3000/);
    expect(conf).toMatch(/server auth-server-2:3000/);
    expect(conf).toMatch(/X-Forwarded-For \$remote_addr/);
  });

  it("publishes the contract's ports (CONTRACT §5)", () => {
    expect(publishedPorts(services["auth-server"] as Service)).toEqual([3000]);
    expect(publishedPorts(services["python-backend"] as Service)).toEqual([8000]);
    expect(publishedPorts(services["hono-task-api"] as Service)).toEqual([8001]);
  });

  it("configures the auth server on PostgreSQL with the contract's env names", () => {
    const env = services["auth-server"]?.environment ?? {};
    expect(env.NODE_ENV).toBe("production");
    expect(env.AUTH_DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    for (const name of ["BETTER_AUTH_SECRET", "BETTER_AUTH_URL", "TRUSTED_ORIGINS", "JWT_ISSUER", "JWT_AUDIENCE"]) {
      expect(env, name).toHaveProperty(name);
    }
  });

  it("points both task APIs at the auth server's JWKS, revocation feed, issuer and audience", () => {
    const auth = services["auth-server"]?.environment ?? {};
    for (const name of ["python-backend", "hono-task-api"]) {
      const env = services[name]?.environment ?? {};
      expect(env.AUTH_JWKS_URL, name).toBe("http://auth-server:3000/.well-known/jwks.json");
      expect(env.AUTH_REVOCATION_URL, name).toBe("http://auth-server:3000/api/auth/revocations");
      expect(env.AUTH_ISSUER, name).toBe(auth.JWT_ISSUER);
      expect(env.AUTH_AUDIENCE, name).toBe(auth.JWT_AUDIENCE);
      expect(env, name).toHaveProperty("CORS_ORIGINS");
    }
  });

  it("starts each service only once what it needs is healthy", () => {
    expect(services["auth-server"]?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(services["python-backend"]?.depends_on).toEqual({ "auth-server": { condition: "service_healthy" } });
    expect(services["hono-task-api"]?.depends_on).toEqual({ "auth-server": { condition: "service_healthy" } });
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck, name).toBeDefined();
  });

  it("commits no secret: the secret and the database password must come from the environment", () => {
    const text = fs.readFileSync(file, "utf8");
    expect(text).toMatch(/BETTER_AUTH_SECRET: \$\{BETTER_AUTH_SECRET:\?/);
    expect(text).toMatch(/POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?/);
  });

  it.runIf(hasCompose)("is refused by docker-compose without BETTER_AUTH_SECRET", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, POSTGRES_PASSWORD: "x" };
    delete env.BETTER_AUTH_SECRET;
    const result = spawnSync("docker-compose", ["-f", file, "config"], { env, encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/BETTER_AUTH_SECRET/);
  });

  it("builds every service from a Dockerfile that exists", () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const build = service.build as { context: string; dockerfile?: string };
      const context = path.resolve(root, build.context);
      expect(fs.existsSync(path.join(context, build.dockerfile ?? "Dockerfile")), name).toBe(true);
    }
  });
});

#!/usr/bin/env bash
# Brings docker-compose.yml up as CI can (with docker-compose.ci.yml), with its scale profile
# (Redis, a second auth-server replica, nginx in front of both), waits for every healthcheck,
# runs the external contract suite against each task API through the auth server and again
# through the load balancer, and takes the stack down with its volumes, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

project="authbridge-ci-$$"
merged="$(mktemp /tmp/authbridge-compose.XXXXXX.yml)"
compose() { docker-compose -p "$project" -f "$merged" "$@"; }
# docker-compose 1.x refuses host networking next to published ports, and an override file can
# only add ports, not remove them: merge the two files, then drop `ports` (host networking
# publishes nothing; every service listens on the host's loopback already).
export COMPOSE_DOCKER_CLI_BUILD=0
export BETTER_AUTH_SECRET="${BETTER_AUTH_SECRET:-$(head -c 32 /dev/urandom | base64 | tr -d '\n')}"
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}"
eval "$(scripts/containers/build-base-images.sh)"
export PYTHON_IMAGE NODE_IMAGE POSTGRES_IMAGE REDIS_IMAGE NGINX_IMAGE
# The scale profile as .env.example describes it; the public URL is the load balancer's.
export COMPOSE_PROFILES=scale
export REDIS_URL="redis://127.0.0.1:26379/0" TRUST_PROXY_HEADER="x-forwarded-for"
export PUBLIC_AUTH_URL="http://127.0.0.1:3100"
# No mail server in this smoke test: users get their session at sign-up (the contract suite's need).
export REQUIRE_EMAIL_VERIFICATION=false
# The suite also signs users up on auth-server directly, whose own origin is then not the public one.
export TRUSTED_ORIGINS="http://127.0.0.1:3000"
docker-compose -f docker-compose.yml -f scripts/containers/docker-compose.ci.yml --profile scale config \
  | node -e '
      const { parse, stringify } = require("yaml");
      let text = "";
      process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
        const config = parse(text);
        for (const service of Object.values(config.services)) delete service.ports;
        process.stdout.write(stringify(config));
      });' >"$merged"

cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then compose logs --no-color --tail 40 >&2 || true; fi
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  rm -f "$merged"
  exit "$status"
}
trap cleanup EXIT

started=$SECONDS
up_log="$(mktemp)"
if ! compose up -d --build >"$up_log" 2>&1; then
  grep -vE '^(Step|Removing|Successfully|Sending| --->)' "$up_log" | tail -n 30 >&2
  echo "compose: up failed" >&2
  exit 1
fi
rm -f "$up_log"
services=(postgres redis auth-server auth-server-2 auth-lb python-backend hono-task-api)
for _ in $(seq 1 120); do
  pending=()
  for service in "${services[@]}"; do
    id=$(compose ps -q "$service")
    [ -n "$id" ] || { echo "compose: $service has no container" >&2; exit 1; }
    health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
    [ "$health" = healthy ] || pending+=("$service:$health")
  done
  [ "${#pending[@]}" -eq 0 ] && break
  sleep 2
done
if [ "${#pending[@]}" -ne 0 ]; then echo "compose: not healthy after 240 s: ${pending[*]}" >&2; exit 1; fi
echo "compose: every service healthy in $((SECONDS - started)) s (${services[*]})"

npm run --silent contract -- --auth-url http://127.0.0.1:3000 --api-url http://127.0.0.1:8000
npm run --silent contract -- --auth-url http://127.0.0.1:3000 --api-url http://127.0.0.1:8001

# Through the load balancer: both replicas answer, and the contract holds for tokens from either.
upstreams=$(for _ in 1 2 3 4 5 6; do
  curl -fsS -o /dev/null -D - http://127.0.0.1:3100/api/auth/jwks | tr -d '\r' | awk -F': ' 'tolower($1)=="x-authbridge-upstream"{print $2}'
done | sort -u | tr '\n' ' ')
echo "compose: the load balancer reached ${upstreams}"
[ "$(echo "$upstreams" | wc -w)" -ge 2 ] || { echo "compose: only one replica behind the load balancer answered" >&2; exit 1; }
npm run --silent contract -- --auth-url http://127.0.0.1:3100 --api-url http://127.0.0.1:8000 --api-url http://127.0.0.1:8001

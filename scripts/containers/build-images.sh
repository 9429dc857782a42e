#!/usr/bin/env bash
# Builds the three service images from their Dockerfiles with the docker CLI:
#   authbridge/auth-server, authbridge/python-backend, authbridge/hono-task-api (tag: $IMAGE_TAG, default local)
# With LOCAL_BASE_IMAGES=1 (what CI sets) it first builds the local base images and passes them
# as PYTHON_IMAGE / NODE_IMAGE; otherwise the Dockerfiles' official defaults are used.
# Builds run with host networking so pip and npm reach their registries on any engine setup.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Without buildx the CLI uses the legacy builder anyway; choosing it keeps its warning quiet.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
tag="${IMAGE_TAG:-local}"
python_arg=() node_arg=()
if [ "${LOCAL_BASE_IMAGES:-0}" = 1 ]; then
  eval "$(scripts/containers/build-base-images.sh)"
  python_arg=(--build-arg "PYTHON_IMAGE=$PYTHON_IMAGE")
  node_arg=(--build-arg "NODE_IMAGE=$NODE_IMAGE")
fi

build() { # image, context, dockerfile, build args...
  local image="$1:$tag" context="$2" dockerfile="$3" started=$SECONDS
  shift 3
  echo "[images] building $image" >&2
  docker build -q --network host "$@" -t "$image" -f "$dockerfile" "$context" >/dev/null \
    2> >(grep -vE 'DEPRECATED|BuildKit|DOCKER_BUILDKIT|environment-variable|^\s*$' >&2)
  echo "[images] $image $(docker image inspect -f '{{.Id}}' "$image" | cut -c8-19) built in $((SECONDS - started)) s" >&2
}

only="${1:-all}"
# pip mostly waits on the network, npm ci mostly compiles: the Python image builds beside the Node ones.
pids=()
case "$only" in all|python-backend)
  build authbridge/python-backend python-backend python-backend/Dockerfile "${python_arg[@]}" & pids+=($!) ;;
esac
case "$only" in all|hono-task-api) build authbridge/hono-task-api . examples/hono-task-api/Dockerfile "${node_arg[@]}" ;; esac
case "$only" in all|auth-server) build authbridge/auth-server . src/auth-server/Dockerfile "${node_arg[@]}" ;; esac
for pid in "${pids[@]}"; do wait "$pid"; done

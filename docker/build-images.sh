#!/usr/bin/env bash
# Builds the ava images from this checkout's jars:
#   ava/server:dev  (docker/Dockerfile.server: ava-server + PoCL)
#   ava/bench:dev   (docker/Dockerfile.client: ava-agent + ava-bench, no OpenCL)
#
#   docker/build-images.sh [--local-base | --base IMAGE] [--server-tag TAG] [--client-tag TAG]
#                          [--only server|client] [--network MODE] [--no-cache]
#
#   (default)        BASE=debian:bookworm-slim, pulled from the registry
#   --local-base     BASE=ava/debian-bookworm:local, made first with docker/make-base-image.sh when
#                    missing (for machines without a registry)
#   --base IMAGE     any other base (Debian/Ubuntu for the server; see the Dockerfiles)
#   --network MODE   network of the build's RUN steps (default host: apt-get must reach the
#                    mirror, and an engine started with --bridge=none has no other network)
#
# The jars come from `mvn package` (server/target/ava-server.jar, agent/target/ava-agent.jar,
# bench/target/ava-bench.jar); they are copied into docker/build/, the build context.
# AVA_JAR_DIR=DIR takes all three from DIR instead.
set -euo pipefail

DOCKER_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(cd "$DOCKER_DIR/.." && pwd)"
PUBLIC_BASE=debian:bookworm-slim
LOCAL_BASE=ava/debian-bookworm:local
BASE=$PUBLIC_BASE
USE_LOCAL_BASE=0
SERVER_TAG=ava/server:dev
CLIENT_TAG=ava/bench:dev
ONLY=""
NETWORK=host
EXTRA=()

die() {
    echo "build-images: ERROR: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --local-base) USE_LOCAL_BASE=1; BASE=$LOCAL_BASE; shift ;;
    --base) BASE=${2:?--base needs an image}; USE_LOCAL_BASE=0; shift 2 ;;
    --server-tag) SERVER_TAG=${2:?--server-tag needs a tag}; shift 2 ;;
    --client-tag) CLIENT_TAG=${2:?--client-tag needs a tag}; shift 2 ;;
    --only) ONLY=${2:?--only needs server or client}; shift 2 ;;
    --network) NETWORK=${2:?--network needs a mode}; shift 2 ;;
    --no-cache) EXTRA+=(--no-cache); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
case "$ONLY" in "" | server | client) ;; *) die "--only takes server or client, not '$ONLY'" ;; esac

command -v docker >/dev/null 2>&1 || die "docker (the client) is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd first; see docker/README.md)"

# --- the jars -> docker/build/
declare -A SRC=(
    [ava-server.jar]=server/target/ava-server.jar
    [ava-agent.jar]=agent/target/ava-agent.jar
    [ava-bench.jar]=bench/target/ava-bench.jar
)
mkdir -p "$DOCKER_DIR/build"
for jar in ava-server.jar ava-agent.jar ava-bench.jar; do
    if [[ -n "${AVA_JAR_DIR:-}" ]]; then
        src="$AVA_JAR_DIR/$jar"
    else
        src="$ROOT/${SRC[$jar]}"
    fi
    if [[ ! -f "$src" ]]; then
        [[ -z "${AVA_JAR_DIR:-}" ]] || die "$src is missing (AVA_JAR_DIR=$AVA_JAR_DIR)"
        die "$src is missing: build the jars first (cd $ROOT && mvn -q -B package -DskipTests)"
    fi
    cp "$src" "$DOCKER_DIR/build/$jar.tmp"
    mv -f "$DOCKER_DIR/build/$jar.tmp" "$DOCKER_DIR/build/$jar"
done
echo "build-images: jars copied into docker/build/ from ${AVA_JAR_DIR:-the Maven build outputs}"

# --- the base
if [[ $USE_LOCAL_BASE -eq 1 ]] && ! docker image inspect "$BASE" >/dev/null 2>&1; then
    echo "build-images: $BASE is missing: making it (docker/make-base-image.sh)"
    "$DOCKER_DIR/make-base-image.sh" --tag "$BASE"
fi

# The Docker 23+ client needs buildx for BuildKit; without it, use the classic builder quietly.
if [[ -z "${DOCKER_BUILDKIT:-}" ]] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
fi

build() { # build NAME DOCKERFILE TAG
    local t=$SECONDS
    echo "build-images: + docker build --network $NETWORK --build-arg BASE=$BASE -f docker/$2 -t $3 docker/"
    docker build --network "$NETWORK" --build-arg "BASE=$BASE" "${EXTRA[@]}" \
        -f "$DOCKER_DIR/$2" -t "$3" "$DOCKER_DIR" || die "building the $1 image failed"
    echo "build-images: $3 built in $((SECONDS - t)) s ($(docker image inspect -f '{{.Size}}' "$3" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

[[ "$ONLY" == client ]] || build server Dockerfile.server "$SERVER_TAG"
[[ "$ONLY" == server ]] || build client Dockerfile.client "$CLIENT_TAG"
# Earlier builds of these tags, now untagged (only ava's own images: they carry io.ava.image).
docker image prune -f --filter label=io.ava.image >/dev/null 2>&1 || true

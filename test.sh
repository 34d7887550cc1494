#!/usr/bin/env bash
# ava's test command, from a fresh Debian 12 machine: installs what is missing (Java 17, Maven,
# PoCL, the OpenCL loader, clinfo), starts a Docker engine and makes the base image for the
# container tests (as root: docker.io, debootstrap, scripts/docker-engine.sh,
# docker/make-base-image.sh), then runs `mvn -B verify` (unit tests, the forked-JVM end-to-end
# tests against real ava-server processes on PoCL, and the Testcontainers tests against ava/server
# and ava/bench containers built from this build's jars). Extra arguments go to mvn, e.g.
#   ./test.sh -pl spec          ./test.sh -Dtest=NativeVsRemoteTest -Dsurefire.failIfNoSpecifiedTests=false
# Environment: AVA_SKIP_INSTALL=1 skips the package checks; AVA_SKIP_DOCKER=1 the Docker step
# (then the container tests skip, loudly; under CI=true they fail instead).
set -euo pipefail

AVA_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$AVA_ROOT"
# shellcheck source=scripts/setup.sh
source "$AVA_ROOT/scripts/setup.sh"

ava_section "prerequisites"
ava_install_prerequisites

ava_section "docker (for the container tests)"
ava_prepare_docker

ava_section "mvn -B -ntp verify${*:+ $*}"
start=$(date +%s)
rc=0
mvn -B -ntp verify "$@" 2>&1 | ava_strip_ansi || rc=$?
elapsed=$(($(date +%s) - start))
if [[ $rc -eq 0 ]]; then
    echo "test.sh: PASSED (mvn -B verify, ${elapsed} s)"
else
    echo "test.sh: FAILED (mvn -B verify exited $rc after ${elapsed} s)" >&2
fi
exit "$rc"

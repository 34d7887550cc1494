# shellcheck shell=bash
# Shared set-up for ./demo.sh and ./test.sh (sourced, not run): installs what ava needs on
# Debian 12 when it is missing, and builds the jars.
#
#   ava_install_prerequisites   Java 17 JDK, Maven, PoCL (an OpenCL CPU device), the OpenCL ICD
#                               loader with the unversioned libOpenCL.so that JOCL loads, clinfo.
#                               Each is checked first; apt-get runs only for what is missing
#                               (as root, or through sudo). AVA_SKIP_INSTALL=1 skips the step.
#   ava_prepare_docker          what the container tests need: docker.io and debootstrap, a running engine
#                               (scripts/docker-engine.sh start) and the base image ava/debian-bookworm:local
#                               (docker/make-base-image.sh). AVA_SKIP_DOCKER=1 skips the step.
#   ava_build                   mvn -q -B package -DskipTests, unless every jar is newer than every
#                               source file and pom (AVA_FORCE_BUILD=1 builds anyway).
#
# Both expect AVA_ROOT (the repository root) to be set.

ava_section() {
    printf '\n==== %s ====\n' "$*"
}

ava_die() {
    echo "ERROR: $*" >&2
    exit 1
}

# Major version of the java / javac on PATH (0 when absent).
ava_java_major() {
    local tool=$1 v
    command -v "$tool" >/dev/null 2>&1 || { echo 0; return; }
    # 'openjdk version "17.0.21" ...', 'javac 17.0.21', 'java version "1.8.0_292"'
    v=$("$tool" -version 2>&1 | grep -m1 -E 'version|^javac' | grep -oE '[0-9]+(\.[0-9]+)*' | head -n1)
    [[ "$v" == 1.* ]] && v=${v#1.}
    echo "${v%%.*}" | grep -E '^[0-9]+$' || echo 0
}

# Debian's Maven 3.8.7 writes colour resets even with -B; drop them from captured output.
ava_strip_ansi() {
    sed -u $'s/\e\\[[0-9;]*m//g'
}

ava_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

ava_install_prerequisites() {
    if [[ "${AVA_SKIP_INSTALL:-0}" == 1 ]]; then
        echo "AVA_SKIP_INSTALL=1: not checking or installing system packages"
        return 0
    fi
    local missing=()
    if [[ $(ava_java_major javac) -lt 17 || $(ava_java_major java) -lt 17 ]]; then
        missing+=(openjdk-17-jdk-headless)
    fi
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
    ava_pkg_installed pocl-opencl-icd || missing+=(pocl-opencl-icd)
    ava_pkg_installed ocl-icd-opencl-dev || missing+=(ocl-icd-opencl-dev)
    command -v clinfo >/dev/null 2>&1 || missing+=(clinfo)

    if [[ ${#missing[@]} -eq 0 ]]; then
        echo "all present: java $(ava_java_major java), $(mvn -B -v 2>/dev/null | ava_strip_ansi | sed -n '1{s/ (.*//;p;}'), pocl-opencl-icd, ocl-icd-opencl-dev, clinfo"
    else
        echo "missing: ${missing[*]}"
        command -v apt-get >/dev/null 2>&1 \
            || ava_die "apt-get not found: install ${missing[*]} (or their equivalents) by hand, then rerun with AVA_SKIP_INSTALL=1"
        local sudo=()
        if [[ $(id -u) -ne 0 ]]; then
            command -v sudo >/dev/null 2>&1 || ava_die "not root and no sudo: install ${missing[*]} as root first"
            sudo=(sudo)
        fi
        echo "+ apt-get update && apt-get install ${missing[*]}"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
            || ava_die "apt-get update failed"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
            || ava_die "apt-get install ${missing[*]} failed"
    fi

    # Another JDK may come first on PATH: prefer Java 17 when the default is older.
    if [[ $(ava_java_major javac) -lt 17 ]]; then
        local jdk
        for jdk in /usr/lib/jvm/java-17-openjdk-*; do
            if [[ -x "$jdk/bin/javac" ]]; then
                export JAVA_HOME="$jdk" PATH="$jdk/bin:$PATH"
                echo "using JAVA_HOME=$JAVA_HOME (the default java is older than 17)"
                break
            fi
        done
    fi
    [[ $(ava_java_major javac) -ge 17 ]] || ava_die "a Java 17 (or newer) JDK is needed; javac on PATH is version $(ava_java_major javac)"
    command -v mvn >/dev/null 2>&1 || ava_die "mvn is not on PATH after installing maven"
    if command -v clinfo >/dev/null 2>&1; then
        local platforms
        platforms=$(clinfo -l 2>/dev/null | grep -c '^Platform' || true)
        [[ "$platforms" -gt 0 ]] || ava_die "clinfo -l lists no OpenCL platform; is pocl-opencl-icd installed correctly?"
        echo "OpenCL platforms (clinfo -l):"
        clinfo -l 2>/dev/null | sed 's/^/  /'
    fi
}

ava_build() {
    local jars=("$AVA_ROOT/server/target/ava-server.jar" "$AVA_ROOT/agent/target/ava-agent.jar"
        "$AVA_ROOT/bench/target/ava-bench.jar")
    if [[ "${AVA_FORCE_BUILD:-0}" != 1 ]]; then
        local jar oldest="" stale=""
        for jar in "${jars[@]}"; do
            if [[ ! -f "$jar" ]]; then
                oldest=""
                break
            fi
            if [[ -z "$oldest" || "$jar" -ot "$oldest" ]]; then
                oldest=$jar
            fi
        done
        if [[ -n "$oldest" ]]; then
            stale=$(cd "$AVA_ROOT" && find . -path ./results -prune -o -path '*/target' -prune -o -path ./.git -prune \
                -o \( -name pom.xml -o -path '*/src/*' \) -type f -newer "$oldest" -print -quit)
            if [[ -z "$stale" ]]; then
                echo "jars are newer than every source file: not rebuilding (AVA_FORCE_BUILD=1 rebuilds)"
                return 0
            fi
        fi
    fi
    echo "+ mvn -q -B package -DskipTests"
    (cd "$AVA_ROOT" && mvn -q -B package -DskipTests 2>&1 | ava_strip_ansi) \
        || ava_die "the build failed (mvn -q -B package -DskipTests)"
    local jar
    for jar in "${jars[@]}"; do
        [[ -f "$jar" ]] || ava_die "the build did not produce $jar"
    done
    echo "built: server/target/ava-server.jar agent/target/ava-agent.jar bench/target/ava-bench.jar"
}

# The container tests (integration-tests' Container*Test) build ava/server and ava/bench on
# ava/debian-bookworm:local and run them on a Docker engine. Under CI=true a failure here stops test.sh (the tests
# would fail anyway, by design); elsewhere it warns and the container tests skip, saying why.
ava_prepare_docker() {
    if [[ "${AVA_SKIP_DOCKER:-0}" == 1 ]]; then
        echo "AVA_SKIP_DOCKER=1: not starting a Docker engine (the container tests will skip, or fail under CI=true)"
        return 0
    fi
    local problem=""
    if ! AVA_SKIP_COMPOSE=1 "$AVA_ROOT/scripts/docker-engine.sh" start; then
        problem="no Docker engine answers and none could be started (scripts/docker-engine.sh start, above)"
    elif docker image inspect ava/debian-bookworm:local >/dev/null 2>&1; then
        echo "base image ava/debian-bookworm:local is there"
    elif [[ $(id -u) -ne 0 ]]; then
        problem="the base image ava/debian-bookworm:local is missing and only root can make it (docker/make-base-image.sh)"
    elif ! "$AVA_ROOT/docker/make-base-image.sh"; then
        problem="docker/make-base-image.sh failed"
    fi
    [[ -z "$problem" ]] && return 0
    if [[ "${CI:-}" == true ]]; then
        ava_die "$problem; CI=true and the container tests need it"
    fi
    echo "WARNING: $problem: the container tests (integration-tests Container*Test) will be SKIPPED" >&2
}

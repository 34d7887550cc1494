#!/usr/bin/env bash
# ava demo, from a fresh Debian 12 machine to a remoted OpenCL program that moves between servers:
#   1. installs what is missing (Java 17, Maven, PoCL, the OpenCL loader, clinfo)
#   2. builds the jars
#   3. runs the demo program (io.ava.bench.demo.Demo, plain JOCL) natively
#   4. starts two ava-servers on free ports of 127.0.0.1: "a" (default peer: b) and "b"
#      (takes sessions handed over on its --migrate-listen port)
#   5. runs the same program under the ava agent against server a, with no usable OpenCL
#      library in the client (LD_LIBRARY_PATH holds an empty libOpenCL.so); it counts its calls
#   6. runs it again and migrates it live from a to b half-way (AVA_MIGRATION_CALL_ID), printing
#      the migration's breakdown from a's migration log
#   7. shows both servers' status (no sessions or objects left) and compares the three runs
# Exits non-zero when any step fails. Servers are stopped on exit, Ctrl-C included.
# Environment: AVA_SKIP_INSTALL=1 (no package checks), AVA_FORCE_BUILD=1 (always build),
# AVA_DEMO_ARGS="ELEMENTS ROUNDS" (demo size, default 1048576 4).
set -euo pipefail

AVA_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$AVA_ROOT"
# shellcheck source=scripts/setup.sh
source "$AVA_ROOT/scripts/setup.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ava-demo.XXXXXX")
BENCH_JAR="$AVA_ROOT/bench/target/ava-bench.jar"
AGENT_JAR="$AVA_ROOT/agent/target/ava-agent.jar"
DEMO_CLASS=io.ava.bench.demo.Demo
read -r -a DEMO_ARGS <<<"${AVA_DEMO_ARGS:-}" || true

# ---------------------------------------------------------------- servers
# Servers by name: start_server NAME [ava-server options] sets SERVER_PORT[NAME]; each server's
# log is $WORK/server-NAME.log; all are stopped on exit.
declare -A SERVER_PID=() SERVER_PORT=()
DEMO_OK=0

start_server() {
    local name=$1 log="$WORK/server-$1.log" pid port="" i
    shift
    echo "+ bin/ava-server --port 0 --bind 127.0.0.1 $*   (log: $log)"
    "$AVA_ROOT/bin/ava-server" --port 0 --bind 127.0.0.1 "$@" >"$log" 2>&1 &
    pid=$!
    SERVER_PID[$name]=$pid
    for ((i = 0; i < 600; i++)); do # up to 60 s
        port=$(sed -n 's/^ava-server listening on .*:\([0-9][0-9]*\) (.*/\1/p' "$log" | head -n1)
        [[ -n "$port" ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            sed 's/^/  | /' "$log" >&2
            ava_die "ava-server '$name' exited before it was ready"
        fi
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        sed 's/^/  | /' "$log" >&2
        ava_die "ava-server '$name' did not print its listening line within 60 s"
    fi
    SERVER_PORT[$name]=$port
    echo "ava-server '$name' (pid $pid): $(grep -m1 '^ava-server listening on' "$log")"
}

stop_server() {
    local name=$1 pid=${SERVER_PID[$1]:-} i
    [[ -n "$pid" ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do # 5 s, then SIGKILL
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "SERVER_PID[$name]"
}

# server_status NAME: prints `ava-server status` for that server.
server_status() {
    "$AVA_ROOT/bin/ava-server" status --server "127.0.0.1:${SERVER_PORT[$1]}"
}

# wait_server_idle NAME: polls until the server reports no sessions and no live objects (10 s).
wait_server_idle() {
    local out i
    for ((i = 0; i < 50; i++)); do
        out=$(server_status "$1" 2>&1) || true
        if grep -qx 'sessions: 0' <<<"$out" && grep -qx 'live objects: 0' <<<"$out"; then
            echo "$out"
            return 0
        fi
        sleep 0.2
    done
    echo "$out"
    return 1
}

cleanup() {
    local rc=$? name
    trap - EXIT INT TERM
    for name in "${!SERVER_PID[@]}"; do
        stop_server "$name"
    done
    if [[ $rc -eq 0 && $DEMO_OK -eq 1 ]]; then
        rm -rf "$WORK"
    else
        if [[ -d "$WORK" ]]; then
            for log in "$WORK"/server-*.log; do
                [[ -f "$log" ]] || continue
                echo "---- last lines of $log" >&2
                tail -n 20 "$log" | sed 's/^/  | /' >&2
            done
            echo "logs kept in $WORK" >&2
        fi
        echo "demo: FAILED" >&2
        [[ $rc -ne 0 ]] || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- demo runs
# run_demo LABEL [env NAME=VALUE...] [--] JAVA_ARGS...: runs the demo program, shows its output
# (indented) and keeps it in $WORK/LABEL.out; fails the script when the program fails.
run_demo() {
    local label=$1 rc=0
    shift
    local envs=()
    while [[ $# -gt 0 && "$1" == *=* && "$1" != -* ]]; do
        envs+=("$1")
        shift
    done
    [[ "${1:-}" == -- ]] && shift
    local shown=("${envs[@]}" java "$@" -cp bench/target/ava-bench.jar "$DEMO_CLASS" "${DEMO_ARGS[@]}")
    echo "+ ${shown[*]}"
    env "${envs[@]}" java "$@" -cp "$BENCH_JAR" "$DEMO_CLASS" "${DEMO_ARGS[@]}" \
        >"$WORK/$label.out" 2>"$WORK/$label.err" || rc=$?
    sed 's/^/  | /' "$WORK/$label.out"
    if [[ -s "$WORK/$label.err" ]]; then
        echo "  stderr:"
        sed 's/^/  ! /' "$WORK/$label.err"
    fi
    [[ $rc -eq 0 ]] || ava_die "the $label run failed (exit $rc)"
    grep -qx 'demo: OK' "$WORK/$label.out" || ava_die "the $label run did not print 'demo: OK'"
}

# The lines a native and a remote run must print identically (not timings or library lists).
results_of() {
    grep -E '^(platform|device|pipeline|round [0-9]+|checksum):' "$WORK/$1.out"
}

# A folder whose only content is empty libOpenCL.so files: loading OpenCL from it fails.
NO_OPENCL="$WORK/no-opencl"
mkdir -p "$NO_OPENCL"
: >"$NO_OPENCL/libOpenCL.so"
: >"$NO_OPENCL/libOpenCL.so.1"

# ---------------------------------------------------------------- the steps
ava_section "1/7 prerequisites"
ava_install_prerequisites

ava_section "2/7 build"
ava_build

ava_section "3/7 native run: the demo on this machine's OpenCL (plain JOCL, no agent)"
run_demo native --

ava_section "4/7 start two ava-servers: a (default peer b) and b (takes migrated sessions)"
start_server b --migrate-listen 0
B_MIGRATE=$(sed -n 's/.*; migrations on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$WORK/server-b.log" | head -n1)
[[ -n "$B_MIGRATE" ]] || ava_die "server b did not say its migration port"
start_server a --migrate-to "127.0.0.1:$B_MIGRATE" --migration-log "$WORK/migrations.log"

ava_section "5/7 remote run: the same program under the ava agent, with no OpenCL in the client"
echo "LD_LIBRARY_PATH=$NO_OPENCL holds only empty libOpenCL.so / libOpenCL.so.1 files."
echo "Check: without the agent, that LD_LIBRARY_PATH makes the program fail to load OpenCL ..."
control_rc=0
LD_LIBRARY_PATH="$NO_OPENCL" java -cp "$BENCH_JAR" "$DEMO_CLASS" 1000 1 >"$WORK/control.out" 2>&1 || control_rc=$?
if [[ $control_rc -eq 0 ]]; then
    sed 's/^/  | /' "$WORK/control.out"
    ava_die "the program ran natively with the empty libOpenCL.so: the remote run would prove nothing"
fi
echo "  yes: $(grep -m1 '^demo:' "$WORK/control.out" || echo "exit $control_rc")"
run_demo remote "LD_LIBRARY_PATH=$NO_OPENCL" AVA_MIGRATION_CALL_ID=none -- "-javaagent:$AGENT_JAR=server=127.0.0.1:${SERVER_PORT[a]}"
grep -qx 'native libraries in this JVM: libOpenCL not loaded, libJOCL not loaded' "$WORK/remote.out" \
    || ava_die "the remote run's JVM loaded an OpenCL or JOCL native library: the agent did not intercept JOCL"
CALLS=$(sed -n 's/^Final call count = //p' "$WORK/remote.err")
[[ -n "$CALLS" ]] || ava_die "the agent did not report its call count"

ava_section "6/7 live migration: the same program again, moved from server a to server b before call $((CALLS / 2)) of $CALLS"
run_demo migrated "LD_LIBRARY_PATH=$NO_OPENCL" "AVA_MIGRATION_CALL_ID=$((CALLS / 2))" -- \
    "-javaagent:$AGENT_JAR=server=127.0.0.1:${SERVER_PORT[a]}"
grep -q "moved from 127.0.0.1:${SERVER_PORT[a]} to 127.0.0.1:${SERVER_PORT[b]}" "$WORK/migrated.err" \
    || ava_die "the program did not move to server b"
echo "server a's migration log ($WORK/migrations.log):"
sed 's/^/  | /' "$WORK/migrations.log"
echo "breakdown (ms):"
grep -o '"[a-z]*_ms":[0-9.]*' "$WORK/migrations.log" | tr -d '"' | sed 's/_ms:/ /' | awk '{ printf "  %-9s %10s\n", $1, $2 }'
echo "moved: $(grep -o '"bytes":[0-9]*' "$WORK/migrations.log" | cut -d: -f2) bytes of buffers, $(grep -o '"records":[0-9]*' "$WORK/migrations.log" | cut -d: -f2) recorded calls replayed"

ava_section "7/7 servers' status after the clients exited"
for name in a b; do
    echo "+ bin/ava-server status --server 127.0.0.1:${SERVER_PORT[$name]}"
    if ! wait_server_idle "$name" | sed 's/^/  | /'; then
        ava_die "server $name still holds sessions or objects after the client exited"
    fi
done

ava_section "result"
for run in remote migrated; do
    if ! diff <(results_of native) <(results_of "$run") >"$WORK/results.diff"; then
        sed 's/^/  /' "$WORK/results.diff"
        ava_die "the $run run computed something other than the native run"
    fi
done
echo "native, remote and migrated runs printed the same platform, device, results and checksum ($(results_of native | wc -l) lines)"
echo "time: native $(sed -n 's/^time: //p' "$WORK/native.out"), remote $(sed -n 's/^time: //p' "$WORK/remote.out"), migrated $(sed -n 's/^time: //p' "$WORK/migrated.out") (measured inside the program)"
echo "remote client JVM: $(grep -m1 '^native libraries in this JVM:' "$WORK/remote.out" | sed 's/^native libraries in this JVM: //')"
DEMO_OK=1
echo "demo: OK"

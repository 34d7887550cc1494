#!/usr/bin/env bash
# The migrate experiment in containers, checked: a source and a target ava-server (ava/server:dev)
# and a bench client (ava/bench:dev) against the source with AVA_MIGRATION_CALL_ID, so that its
# session moves live to the target (the source's default peer) mid-run. All on the host's
# network, servers on loopback. Prints the client's output, the source's migration log and both
# servers' status, then checks that
#   - the client exited 0 (the demo and the workloads exit non-zero when a result is wrong),
#   - it printed the expected success line ("demo: OK" for the demo; --expect for others),
#   - it moved ("ava: session ... moved from <source> to <target>") and the source logged the
#     migration as ok (unless AVA_MIGRATION_CALL_ID is none),
# and removes its containers (also on failure or Ctrl-C). Exits non-zero when a check fails.
#
#   docker/run-experiment.sh [--engine run|compose] [--call-id N|rLIMIT|none]
#                            [--client "MAIN [ARGS...]"] [--expect REGEX] [--ports S,SM,T,TM]
#                            [--log-dir DIR] [--server-image IMG] [--client-image IMG]
#
#   --engine run      plain `docker run` (default when no Compose is installed)
#   --engine compose  docker/compose.yaml through `docker compose` (v2) or `docker-compose` (v1);
#                     the default when either is installed
#   --call-id         AVA_MIGRATION_CALL_ID for the client (default 40: the demo makes ~90 calls)
#   --client          the client's main class and arguments (default io.ava.bench.demo.Demo),
#                     e.g. "io.ava.bench.workloads.WorkloadMain all --size small"
#   --expect REGEX    a line the client must print (default: "demo: OK" for the demo, else none)
#   --ports           source client,source migrate,target client,target migrate
#                     (default 4000,4001,4100,4101)
#   --log-dir DIR     where the logs go (default: a new folder under /tmp, kept and printed)
#
# Build the images first: docker/build-images.sh [--local-base].
set -euo pipefail

DOCKER_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ENGINE=""
CALL_ID=40
CLIENT_CMD="io.ava.bench.demo.Demo"
EXPECT=""
EXPECT_SET=0
PORTS=4000,4001,4100,4101
LOG_DIR=""
SERVER_IMAGE=ava/server:dev
CLIENT_IMAGE=ava/bench:dev
BIND=127.0.0.1

die() {
    echo "run-experiment: ERROR: $*" >&2
    exit 1
}
section() {
    printf '\n==== %s ====\n' "$*"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --engine) ENGINE=${2:?--engine needs run or compose}; shift 2 ;;
    --call-id) CALL_ID=${2:?--call-id needs a value}; shift 2 ;;
    --client) CLIENT_CMD=${2:?--client needs a command}; shift 2 ;;
    --expect) EXPECT=${2?--expect needs a regex}; EXPECT_SET=1; shift 2 ;;
    --ports) PORTS=${2:?--ports needs four ports}; shift 2 ;;
    --log-dir) LOG_DIR=${2:?--log-dir needs a folder}; shift 2 ;;
    --server-image) SERVER_IMAGE=${2:?}; shift 2 ;;
    --client-image) CLIENT_IMAGE=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done

IFS=, read -r SRC_PORT SRC_MPORT TGT_PORT TGT_MPORT <<<"$PORTS"
for p in "$SRC_PORT" "$SRC_MPORT" "$TGT_PORT" "$TGT_MPORT"; do
    [[ "$p" =~ ^[0-9]+$ ]] || die "--ports takes four port numbers, e.g. 4000,4001,4100,4101 (got '$PORTS')"
done
read -r -a CLIENT_ARGS <<<"$CLIENT_CMD"
if [[ $EXPECT_SET -eq 0 && "${CLIENT_ARGS[0]}" == io.ava.bench.demo.Demo ]]; then
    EXPECT='^demo: OK$'
fi
case "$CALL_ID" in none | NONE | "") MIGRATE=0 ;; *) MIGRATE=1 ;; esac

# --- what this machine has
command -v docker >/dev/null 2>&1 || die "docker (the client) is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd first; see docker/README.md)"
for img in "$SERVER_IMAGE" "$CLIENT_IMAGE"; do
    docker image inspect "$img" >/dev/null 2>&1 || die "image $img is missing: run docker/build-images.sh [--local-base] first"
done
COMPOSE=()
if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
fi
if [[ -z "$ENGINE" ]]; then
    if [[ ${#COMPOSE[@]} -gt 0 ]]; then ENGINE=compose; else ENGINE=run; fi
fi
case "$ENGINE" in
run) ;;
compose) [[ ${#COMPOSE[@]} -gt 0 ]] || die "--engine compose: neither 'docker compose' nor 'docker-compose' is installed" ;;
*) die "--engine takes run or compose, not '$ENGINE'" ;;
esac

port_busy() { # the host's network is the containers' network
    (exec 3<>"/dev/tcp/$BIND/$1") 2>/dev/null
}
for p in "$SRC_PORT" "$SRC_MPORT" "$TGT_PORT" "$TGT_MPORT"; do
    ! port_busy "$p" || die "port $BIND:$p is in use; pick others with --ports"
done

if [[ -z "$LOG_DIR" ]]; then
    LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ava-experiment.XXXXXX")
else
    mkdir -p "$LOG_DIR"
    rm -f "$LOG_DIR/source-migrations.log"
fi
# The servers run as the image's user ava (uid 10001): let them write here.
chmod 0777 "$LOG_DIR"
LOG_DIR=$(cd "$LOG_DIR" && pwd)

PROJECT="ava-exp-$$"
SOURCE="$PROJECT-source" TARGET="$PROJECT-target" CLIENT="$PROJECT-client"
started_at=$SECONDS

# container NAME: the id of that service's container (for compose: by project and service)
container() {
    if [[ $ENGINE == compose ]]; then
        "${COMPOSE[@]}" -p "$PROJECT" -f "$DOCKER_DIR/compose.yaml" ps -a -q "$1" 2>/dev/null | head -n1
    else
        case "$1" in source) echo "$SOURCE" ;; target) echo "$TARGET" ;; client) echo "$CLIENT" ;; esac
    fi
}

cleanup() {
    local rc=$?
    set +e
    if [[ $ENGINE == compose ]]; then
        "${COMPOSE[@]}" -p "$PROJECT" -f "$DOCKER_DIR/compose.yaml" down --remove-orphans >"$LOG_DIR/compose-down.log" 2>&1
    else
        docker rm -f "$CLIENT" "$SOURCE" "$TARGET" >/dev/null 2>&1
    fi
    echo "run-experiment: containers removed; logs kept in $LOG_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export AVA_MIGRATION_CALL_ID=$CALL_ID AVA_CLIENT_CMD=$CLIENT_CMD AVA_LOG_DIR=$LOG_DIR \
    AVA_SOURCE_PORT=$SRC_PORT AVA_SOURCE_MIGRATE_PORT=$SRC_MPORT AVA_TARGET_PORT=$TGT_PORT \
    AVA_TARGET_MIGRATE_PORT=$TGT_MPORT AVA_BIND=$BIND AVA_SERVER_IMAGE=$SERVER_IMAGE \
    AVA_CLIENT_IMAGE=$CLIENT_IMAGE

section "migrate experiment ($ENGINE): client '$CLIENT_CMD' on $BIND:$SRC_PORT, AVA_MIGRATION_CALL_ID=$CALL_ID, target $BIND:$TGT_PORT"
client_rc=0
if [[ $ENGINE == compose ]]; then
    echo "+ ${COMPOSE[*]} -p $PROJECT -f docker/compose.yaml up --no-build --exit-code-from client"
    "${COMPOSE[@]}" -p "$PROJECT" -f "$DOCKER_DIR/compose.yaml" up --no-build --no-color --exit-code-from client \
        >"$LOG_DIR/compose-up.log" 2>&1 || client_rc=$?
    for svc in source target client; do
        id=$(container "$svc")
        if [[ -n "$id" ]]; then docker logs "$id" >"$LOG_DIR/$svc.log" 2>&1; else : >"$LOG_DIR/$svc.log"; fi
    done
    if [[ -z "$(container client)" ]]; then
        sed 's/^/  | /' "$LOG_DIR/compose-up.log" >&2
        die "compose did not start the client (log above)"
    fi
else
    run_server() { # NAME PORT MPORT [more server options]
        local name=$1 port=$2 mport=$3
        shift 3
        echo "+ docker run -d --name $name --network host $SERVER_IMAGE --port $port --bind $BIND --migrate-listen $mport --advertise $BIND:$port $*"
        docker run -d --name "$name" --network host -v "$LOG_DIR:/var/log/ava" \
            -e AVA_SERVER_JAVA_OPTS="${AVA_SERVER_JAVA_OPTS:-}" "$SERVER_IMAGE" \
            --port "$port" --bind "$BIND" --migrate-listen "$mport" --advertise "$BIND:$port" "$@" >/dev/null
    }
    wait_ready() { # NAME: until it prints its listening line (60 s)
        local i
        for ((i = 0; i < 600; i++)); do
            docker logs "$1" 2>&1 | grep -q '^ava-server listening on' && return 0
            if [[ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" != true ]]; then
                docker logs "$1" 2>&1 | sed 's/^/  | /' >&2
                die "server container $1 exited before it was ready (log above)"
            fi
            sleep 0.1
        done
        docker logs "$1" 2>&1 | sed 's/^/  | /' >&2
        die "server container $1 did not print its listening line within 60 s"
    }
    run_server "$TARGET" "$TGT_PORT" "$TGT_MPORT"
    run_server "$SOURCE" "$SRC_PORT" "$SRC_MPORT" --migrate-to "$BIND:$TGT_MPORT" \
        --migration-log /var/log/ava/source-migrations.log
    wait_ready "$TARGET"
    wait_ready "$SOURCE"
    echo "+ docker run --name $CLIENT --network host -e AVA_SERVER=$BIND:$SRC_PORT -e AVA_MIGRATION_CALL_ID=$CALL_ID $CLIENT_IMAGE $CLIENT_CMD"
    docker run --name "$CLIENT" --network host -e "AVA_SERVER=$BIND:$SRC_PORT" \
        -e "AVA_MIGRATION_CALL_ID=$CALL_ID" -e AVA_CLIENT_MERGE_STDERR=1 -e AVA_CLIENT_JAVA_OPTS="${AVA_CLIENT_JAVA_OPTS:-}" \
        "$CLIENT_IMAGE" "${CLIENT_ARGS[@]}" >"$LOG_DIR/client.log" 2>&1 || client_rc=$?
    docker logs "$SOURCE" >"$LOG_DIR/source.log" 2>&1
    docker logs "$TARGET" >"$LOG_DIR/target.log" 2>&1
fi
run_s=$((SECONDS - started_at))

section "client output (exit code $client_rc)"
cat "$LOG_DIR/client.log"
section "source migration log ($LOG_DIR/source-migrations.log)"
cat "$LOG_DIR/source-migrations.log" 2>/dev/null || echo "(none written)"
if [[ $ENGINE == run ]]; then
    # both servers still run: show what they hold now (nothing, once the client is gone)
    for s in source:$SRC_PORT target:$TGT_PORT; do
        section "${s%%:*} server status"
        docker run --rm --network host "$SERVER_IMAGE" status --server "$BIND:${s#*:}" 2>&1 || true
    done
fi
section "server logs"
for s in source target; do
    echo "--- $s ($LOG_DIR/$s.log)"
    grep -E 'listening on|event=(open|migrat|closed|released)|ERROR|Exception' "$LOG_DIR/$s.log" | tail -n 20 || true
done

# --- the checks
section "checks"
failed=0
check() { # check EXIT-STATUS DESCRIPTION
    if [[ $1 -eq 0 ]]; then echo "PASS  $2"; else echo "FAIL  $2"; failed=1; fi
}
found() { # found REGEX FILE: 0 when a line matches
    grep -Eq -- "$1" "$2" 2>/dev/null && echo 0 || echo 1
}
check "$client_rc" "client exited 0"
if [[ -n "$EXPECT" ]]; then
    check "$(found "$EXPECT" "$LOG_DIR/client.log")" "client printed /$EXPECT/"
fi
if [[ $MIGRATE -eq 1 ]]; then
    check "$(found "moved from $BIND:$SRC_PORT to $BIND:$TGT_PORT" "$LOG_DIR/client.log")" \
        "client moved from $BIND:$SRC_PORT to $BIND:$TGT_PORT"
    check "$(found '"ok":true' "$LOG_DIR/source-migrations.log")" "source's migration log has a migration with \"ok\":true"
fi
echo "run-experiment: containers ran for $run_s s"
[[ $failed -eq 0 ]] || die "the experiment failed (logs in $LOG_DIR)"
echo "run-experiment: OK"

#!/usr/bin/env bash
# A Docker engine for machines that have only the docker client (Debian 12, as root):
#
#   scripts/docker-engine.sh [start]   install what is missing (docker.io, debootstrap, and
#                                      docker-compose when no Compose is there), then start
#                                      dockerd unless an engine already answers; waits for it
#   scripts/docker-engine.sh status    say whether an engine answers (exit 1 when none)
#   scripts/docker-engine.sh stop      stop the dockerd this script started (by its pid file)
#
# dockerd runs with no default bridge and no iptables rules or masquerading:
#   dockerd --bridge=none --iptables=false --ip-masq=false
# so containers get the host's network (--network host / network_mode: host) or none; it is
# started with setsid (outliving the shell that started it), logs to $AVA_DOCKERD_LOG
# (default /var/log/ava-dockerd.log), its pid in $AVA_DOCKERD_PID (default /run/ava-dockerd.pid).
# AVA_SKIP_INSTALL=1 installs nothing; AVA_SKIP_COMPOSE=1 does not install docker-compose (test.sh:
# the tests need no Compose).
set -euo pipefail

LOG=${AVA_DOCKERD_LOG:-/var/log/ava-dockerd.log}
PIDFILE=${AVA_DOCKERD_PID:-/run/ava-dockerd.pid}

die() {
    echo "docker-engine: ERROR: $*" >&2
    exit 1
}

engine_answers() {
    command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

install_missing() {
    [[ "${AVA_SKIP_INSTALL:-0}" == 1 ]] && return 0
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    if [[ "${AVA_SKIP_COMPOSE:-0}" != 1 ]] && ! docker compose version >/dev/null 2>&1 &&
        ! command -v docker-compose >/dev/null 2>&1; then
        missing+=(docker-compose)
    fi
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || die "not root: install ${missing[*]} as root first"
    echo "docker-engine: + apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/docker-engine-apt.log 2>&1 || {
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>/tmp/docker-engine-apt.log 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>/tmp/docker-engine-apt.log 2>&1
    } || {
        tail -n 20 /tmp/docker-engine-apt.log >&2
        die "apt-get install ${missing[*]} failed (log above)"
    }
}

start() {
    install_missing
    if engine_answers; then
        echo "docker-engine: an engine already answers ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"
        return 0
    fi
    [[ $(id -u) -eq 0 ]] || die "dockerd must be started as root"
    command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed (apt-get install docker.io)"
    # A dockerd that runs but does not answer (DOCKER_HOST names another socket, say): a second one would only
    # fail on its pid file, and must not take over ours.
    if [[ -f /var/run/docker.pid ]] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
        die "a dockerd (pid $(cat /var/run/docker.pid)) runs but does not answer${DOCKER_HOST:+ at DOCKER_HOST=$DOCKER_HOST}"
    fi
    echo "docker-engine: + dockerd --bridge=none --iptables=false --ip-masq=false  (log: $LOG)"
    mkdir -p "$(dirname "$LOG")" "$(dirname "$PIDFILE")"
    setsid dockerd --bridge=none --iptables=false --ip-masq=false >>"$LOG" 2>&1 </dev/null &
    local pid=$! i
    for ((i = 0; i < 300; i++)); do # 30 s
        if engine_answers; then
            echo "$pid" >"$PIDFILE"
            echo "docker-engine: dockerd (pid $pid) answers: $(docker version -f '{{.Server.Version}}')"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "$LOG" >&2
    die "dockerd did not come up (log above)"
}

stop() {
    [[ -f "$PIDFILE" ]] || die "no $PIDFILE: this script did not start the running engine (if any)"
    local pid i
    pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for ((i = 0; i < 150; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$PIDFILE"
    echo "docker-engine: dockerd (pid $pid) stopped"
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status)
    if engine_answers; then
        echo "docker-engine: an engine answers ($(docker version -f '{{.Server.Version}}'))"
    else
        echo "docker-engine: no engine answers"
        exit 1
    fi
    ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
*) die "unknown command '$1' (start, status or stop)" ;;
esac

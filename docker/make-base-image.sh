#!/usr/bin/env bash
# Makes a local Debian base image for the ava images without any registry:
# debootstrap (minbase) into a scratch folder, optionally install packages into it, then
# `docker import` it. For machines that cannot pull debian:bookworm-slim.
#
#   docker/make-base-image.sh [--force] [--tag TAG] [--suite SUITE] [--mirror URL]
#                             [--security-mirror URL] [--packages "PKG ..."] [--bare]
#
#   --tag TAG        image to make (default ava/debian-bookworm:local)
#   --force          remake it even when TAG already exists (default: skip, print "exists")
#   --suite SUITE    Debian suite (default bookworm)
#   --mirror URL     Debian mirror (default: the first one for SUITE in /etc/apt/sources.list*,
#                    else http://deb.debian.org/debian)
#   --security-mirror URL   (default: the host's debian-security mirror, else
#                    http://deb.debian.org/debian-security)
#   --packages LIST  packages installed into the image (default: openjdk-17-jre-headless,
#                    which both ava images need; the server image adds PoCL itself). Add
#                    "pocl-opencl-icd ocl-icd-libopencl1" to build the server image without any
#                    network access (the client image then carries OpenCL it never uses).
#   --bare           install no packages (plain minbase)
#
# Needs root, debootstrap (apt-get install debootstrap), a running Docker engine and access to
# the mirror. Takes a few minutes; the result is about 250 MB with the default packages.
set -euo pipefail

TAG=ava/debian-bookworm:local
SUITE=bookworm
MIRROR=""
SECURITY_MIRROR=""
PACKAGES="openjdk-17-jre-headless"
FORCE=0

die() {
    echo "make-base-image: ERROR: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --tag) TAG=${2:?--tag needs a value}; shift 2 ;;
    --suite) SUITE=${2:?--suite needs a value}; shift 2 ;;
    --mirror) MIRROR=${2:?--mirror needs a value}; shift 2 ;;
    --security-mirror) SECURITY_MIRROR=${2:?--security-mirror needs a value}; shift 2 ;;
    --packages) PACKAGES=${2?--packages needs a value}; shift 2 ;;
    --bare) PACKAGES=""; shift ;;
    --force) FORCE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done

command -v docker >/dev/null 2>&1 || die "docker (the client) is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd first; see docker/README.md)"

if [[ $FORCE -eq 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
    echo "make-base-image: $TAG exists ($(docker image inspect -f '{{.Id}}' "$TAG" | cut -c1-19)); --force remakes it"
    exit 0
fi

[[ $(id -u) -eq 0 ]] || die "debootstrap and chroot need root"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install debootstrap)"

# The host's apt sources, one "URI SUITES..." line per source, for both formats:
# one-line (.list: 'deb [opts] URI SUITE COMP...') and deb822 (.sources: URIs:/Suites: stanzas).
host_sources() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        sed -n -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+).*/\2 \3/p' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        awk '
            function flush() { if (uris != "" && types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled != "no") { n = split(uris, u, /[[:space:]]+/); for (i = 1; i <= n; i++) if (u[i] != "") print u[i], suites } uris = ""; suites = ""; types = ""; enabled = "" }
            /^[[:space:]]*$/ { flush(); next }
            /^#/ { next }
            tolower($1) == "uris:" { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            tolower($1) == "enabled:" { enabled = tolower($2) }
            END { flush() }
        ' "$f"
    done
}

if [[ -z "$MIRROR" ]]; then
    MIRROR=$(host_sources | awk -v s="$SUITE" '{ for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit } }')
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi
if [[ -z "$SECURITY_MIRROR" ]]; then
    SECURITY_MIRROR=$(host_sources | awk -v s="$SUITE-security" '{ for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit } }')
    SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
fi
MIRROR=${MIRROR%/}
SECURITY_MIRROR=${SECURITY_MIRROR%/}

ROOTFS=$(mktemp -d "${TMPDIR:-/tmp}/ava-rootfs.XXXXXX")
cleanup() {
    local m
    # Unmount whatever is still mounted under the rootfs (deepest first), then remove it.
    for m in $(awk -v r="$ROOTFS" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT

start=$(date +%s)
echo "make-base-image: debootstrap --variant=minbase $SUITE from $MIRROR into $ROOTFS"
debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.debootstrap.log" 2>&1 || {
    tail -n 30 "$ROOTFS.debootstrap.log" >&2
    rm -f "$ROOTFS.debootstrap.log"
    die "debootstrap failed (log above)"
}
rm -f "$ROOTFS.debootstrap.log"
echo "make-base-image: minbase done in $(($(date +%s) - start)) s"

# apt sources inside the image: the suite, its updates and its security updates.
cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF

# What Debian's official container images configure: no daemons started by package scripts,
# no apt caches or docs kept in the image, no recommended packages.
cat >"$ROOTFS/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh
exit 101
EOF
chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-no-recommends" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
# openjdk's postinst registers man-page alternatives; their folder must exist.
mkdir -p "$ROOTFS/usr/share/man/man1"

in_chroot() {
    chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        LANG=C.UTF-8 HOME=/root "$@"
}

if [[ -n "$PACKAGES" ]]; then
    t=$(date +%s)
    echo "make-base-image: installing into the image: $PACKAGES"
    mount -t proc proc "$ROOTFS/proc"
    mount --rbind /sys "$ROOTFS/sys"
    mount --rbind /dev "$ROOTFS/dev"
    cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
    # shellcheck disable=SC2086  # PACKAGES is a list
    { in_chroot apt-get update -q && in_chroot apt-get install -y -q $PACKAGES; } \
        >"$ROOTFS/tmp/install.log" 2>&1 || {
        tail -n 30 "$ROOTFS/tmp/install.log" >&2
        die "installing $PACKAGES failed (log above)"
    }
    rm -f "$ROOTFS/tmp/install.log"
    umount -l "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/proc" 2>/dev/null || true
    echo "make-base-image: packages done in $(($(date +%s) - t)) s"
fi

# Leave nothing host-specific or bulky behind; Docker supplies resolv.conf, hosts and hostname.
in_chroot apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/log/apt/* \
    "$ROOTFS"/var/log/dpkg.log "$ROOTFS"/var/log/alternatives.log "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache
: >"$ROOTFS/etc/resolv.conf"
: >"$ROOTFS/etc/hostname"

echo "make-base-image: docker import -> $TAG"
tar --numeric-owner --xattrs -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap --variant=minbase $SUITE $MIRROR; packages: ${PACKAGES:-none}" \
    - "$TAG" >/dev/null
echo "make-base-image: $TAG made in $(($(date +%s) - start)) s ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"

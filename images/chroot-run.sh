#!/usr/bin/env bash
# Runs images/in-chroot.sh inside an image's root filesystem, with /proc, /sys, a minimal
# /dev, /run, /tmp and the shared apt caches mounted, in a private mount namespace (so the
# mounts vanish with the process even if it is killed; an EXIT trap also unmounts them).
# Called by build.sh; not meant to be run by hand.
set -euo pipefail

# shellcheck source=images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} ROOTFS PAYLOAD_DIR APT_CACHE_DIR

Inside ROOTFS (a Debian tree) runs /tmp/bcm/in-chroot.sh, where /tmp/bcm is PAYLOAD_DIR
mounted read-only. Mounted for the run only: proc, sysfs (read-only), a tmpfs /dev with
null/zero/full/random/urandom/tty and devpts, tmpfs /run and /tmp, and
APT_CACHE_DIR/{archives,lists} on /var/cache/apt/archives and /var/lib/apt/lists (so
downloaded .debs and package lists survive between builds but never land in the image).
During the run /usr/sbin/policy-rc.d forbids starting daemons and /etc/resolv.conf
resolves like the host's; both are put back afterwards.

Environment: SOURCE_DATE_EPOCH (passed into the chroot).
EOF
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  usage
  exit 0
fi
[[ $# -eq 3 ]] || {
  usage >&2
  exit 2
}
require_root

# Re-enter in a private mount namespace: nothing mounted here is visible to (or can leak
# into) the host's namespace.
if [[ -z "${BCM_CHROOT_NS:-}" ]]; then
  exec unshare --mount --propagation private env BCM_CHROOT_NS=1 "${BASH_SOURCE[0]}" "$@"
fi

ROOTFS="$(realpath "${1}")"
PAYLOAD="$(realpath "${2}")"
APT_CACHE="$(realpath -m "${3}")"
[[ -x "${ROOTFS}/bin/sh" ]] || die "${ROOTFS} does not look like a root filesystem"
[[ "${ROOTFS}" != "/" ]] || die "refusing to chroot into /"

MOUNTED=()
RESOLV_SAVED=""
POLICY_RC="${ROOTFS}/usr/sbin/policy-rc.d"

cleanup() {
  local i
  rm -f "${POLICY_RC}"
  if [[ -n "${RESOLV_SAVED}" ]]; then
    rm -f "${ROOTFS}/etc/resolv.conf"
    if [[ "${RESOLV_SAVED}" != "none" ]]; then
      mv -f "${RESOLV_SAVED}" "${ROOTFS}/etc/resolv.conf"
    fi
  fi
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT

# mnt DEST MOUNT-ARGS...: mount under ROOTFS and remember it for cleanup.
mnt() {
  local dest="${ROOTFS}${1}"
  shift
  mkdir -p "${dest}"
  mount "$@" "${dest}"
  MOUNTED+=("${dest}")
}

mnt /proc -t proc -o nosuid,nodev,noexec proc
mnt /sys -t sysfs -o ro,nosuid,nodev,noexec sysfs
mnt /dev -t tmpfs -o mode=0755,nosuid,size=8m tmpfs
mknod -m 666 "${ROOTFS}/dev/null" c 1 3
mknod -m 666 "${ROOTFS}/dev/zero" c 1 5
mknod -m 666 "${ROOTFS}/dev/full" c 1 7
mknod -m 666 "${ROOTFS}/dev/random" c 1 8
mknod -m 666 "${ROOTFS}/dev/urandom" c 1 9
mknod -m 666 "${ROOTFS}/dev/tty" c 5 0
ln -s /proc/self/fd "${ROOTFS}/dev/fd"
ln -s /proc/self/fd/0 "${ROOTFS}/dev/stdin"
ln -s /proc/self/fd/1 "${ROOTFS}/dev/stdout"
ln -s /proc/self/fd/2 "${ROOTFS}/dev/stderr"
mnt /dev/pts -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec devpts
ln -s pts/ptmx "${ROOTFS}/dev/ptmx"
mnt /dev/shm -t tmpfs -o mode=1777,nosuid,nodev tmpfs
mnt /run -t tmpfs -o mode=0755,nosuid,nodev tmpfs
mnt /tmp -t tmpfs -o mode=1777,nosuid,nodev tmpfs
mnt /tmp/bcm --bind "${PAYLOAD}"
mount -o remount,bind,ro "${ROOTFS}/tmp/bcm"
mkdir -p "${APT_CACHE}/archives/partial" "${APT_CACHE}/lists/partial"
mnt /var/cache/apt/archives --bind "${APT_CACHE}/archives"
mnt /var/lib/apt/lists --bind "${APT_CACHE}/lists"

# Name resolution for apt: the host's resolver configuration. If the image's resolv.conf
# points into /run (systemd-resolved's stub file), fill that file in the build-only /run;
# otherwise set the image's file aside and put it back afterwards.
resolv="${ROOTFS}/etc/resolv.conf"
link="$(readlink "${resolv}" 2>/dev/null || true)"
if [[ "${link}" == ../run/* || "${link}" == /run/* ]]; then
  target="${ROOTFS}/run/${link#*run/}"
  mkdir -p "$(dirname "${target}")"
  cat /etc/resolv.conf >"${target}"
else
  if [[ -e "${resolv}" || -L "${resolv}" ]]; then
    RESOLV_SAVED="${ROOTFS}/etc/resolv.conf.bcm-build"
    mv -f "${resolv}" "${RESOLV_SAVED}"
  else
    RESOLV_SAVED="none"
  fi
  cat /etc/resolv.conf >"${resolv}"
fi

# Package scripts must not start daemons on the build host.
[[ ! -e "${POLICY_RC}" ]] || die "${POLICY_RC} already exists in the image"
printf '#!/bin/sh\n# BCM image build: never start services in the chroot.\nexit 101\n' >"${POLICY_RC}"
chmod 0755 "${POLICY_RC}"

chroot "${ROOTFS}" /usr/bin/env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LC_ALL=C.UTF-8 TERM=dumb \
  DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
  SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:?}" \
  /bin/bash /tmp/bcm/in-chroot.sh

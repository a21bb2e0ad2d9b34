#!/usr/bin/env bash
# Smoke test for the host setup: build a tiny Debian image locally (no image server),
# launch an unprivileged container on lxdbr0, check it gets a DHCP lease and can reach
# the host at the bridge address and the outside through NAT, then delete everything.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

ALIAS="bcm-smoke-bookworm"
MIRROR="${BCM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEEP_IMAGE=0
WORK=""
CONTAINER=""

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} [--keep-image] [--help]

Run after ensure-all.sh. Steps:
  1. installs debootstrap when missing;
  2. unless image alias '${ALIAS}' exists: debootstrap --variant=minbase bookworm with
     systemd-sysv, udev (without udev systemd-networkd never configures eth0) and
     iproute2, DHCP on eth0 via systemd-networkd, a hostname template; imports it as a
     split image (metadata + rootfs tarballs);
  3. launches an unprivileged container on the default profile (lxdbr0), waits for an
     IPv4 lease, and from inside checks TCP to the host's bridge address (dnsmasq, port 53),
     DNS through dnsmasq, and TCP to the Debian mirror (NAT + FORWARD/DOCKER-USER);
  4. deletes the container, and the image unless --keep-image.
Exit status 0 means every check passed. Changes nothing on success except with --keep-image.

Environment:
  BCM_DEBIAN_MIRROR  mirror for debootstrap (default http://deb.debian.org/debian)
EOF
}

cleanup() {
  if [[ -n "${CONTAINER}" ]]; then
    lxc delete --force "${CONTAINER}" >/dev/null 2>&1 || true
    log "smoke: deleted container ${CONTAINER}"
  fi
  if [[ "${KEEP_IMAGE}" -eq 0 ]] && lxc image info "${ALIAS}" >/dev/null 2>&1; then
    lxc image delete "${ALIAS}" >/dev/null 2>&1 || true
    log "smoke: deleted image ${ALIAS}"
  fi
  if [[ -n "${WORK}" ]]; then
    rm -rf "${WORK}"
  fi
}

build_image() {
  WORK="$(mktemp -d /var/tmp/bcm-smoke.XXXXXX)"
  local rootfs="${WORK}/rootfs" start="${SECONDS}"
  log "smoke: debootstrap --variant=minbase bookworm (+systemd-sysv, udev, iproute2) into ${rootfs}"
  debootstrap --variant=minbase --include=systemd-sysv,udev,iproute2 bookworm "${rootfs}" "${MIRROR}" \
    >"${WORK}/debootstrap.log" 2>&1 || {
    tail -n 20 "${WORK}/debootstrap.log" >&2
    die "debootstrap failed"
  }
  log "smoke: debootstrap done in $((SECONDS - start)) s"

  cat >"${rootfs}/etc/systemd/network/10-eth0.network" <<'EOF'
[Match]
Name=eth0

[Network]
DHCP=ipv4
EOF
  chroot "${rootfs}" systemctl enable systemd-networkd.service >/dev/null 2>&1
  rm -f "${rootfs}/etc/hostname"
  # No systemd-resolved in minbase: point the resolver at dnsmasq on the bridge.
  printf 'nameserver %s\n' "${1}" >"${rootfs}/etc/resolv.conf"
  rm -rf "${rootfs}/var/cache/apt/archives/"*.deb "${rootfs}/var/lib/apt/lists/"*

  mkdir -p "${WORK}/meta/templates"
  cat >"${WORK}/meta/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: BCM smoke test image (Debian bookworm minbase)
  os: debian
  release: bookworm
templates:
  /etc/hostname:
    when: [create, copy, rename]
    template: hostname.tpl
  /etc/hosts:
    when: [create, copy, rename]
    template: hosts.tpl
EOF
  printf '{{ container.name }}\n' >"${WORK}/meta/templates/hostname.tpl"
  printf '127.0.0.1 localhost\n127.0.1.1 {{ container.name }}\n' >"${WORK}/meta/templates/hosts.tpl"

  tar -C "${WORK}/meta" -czf "${WORK}/metadata.tar.gz" metadata.yaml templates
  tar -C "${rootfs}" --numeric-owner -czf "${WORK}/rootfs.tar.gz" .
  lxc image import "${WORK}/metadata.tar.gz" "${WORK}/rootfs.tar.gz" --alias "${ALIAS}" >/dev/null
  log "smoke: image ${ALIAS} imported ($(du -h "${WORK}/rootfs.tar.gz" | cut -f1) rootfs) after $((SECONDS - start)) s"
  rm -rf "${WORK}"
  WORK=""
}

container_ipv4() {
  lxc list "${CONTAINER}" --format csv -c 4 | awk '/eth0/ {print $1; exit}'
}

has_ipv4() {
  [[ -n "$(container_ipv4)" ]]
}

main() {
  while [[ $# -gt 0 ]]; do
    case "${1}" in
      -h | --help)
        usage
        return 0
        ;;
      --keep-image) KEEP_IMAGE=1 ;;
      *)
        usage >&2
        die "unknown argument: ${1}"
        ;;
    esac
    shift
  done
  require_root
  timeout 10 lxc query /1.0 >/dev/null 2>&1 || die "LXD does not answer; run ensure-all.sh first"
  apt_ensure debootstrap
  trap cleanup EXIT

  local bridge_ip
  bridge_ip="$(lxc network get lxdbr0 ipv4.address)"
  bridge_ip="${bridge_ip%/*}"

  if lxc image info "${ALIAS}" >/dev/null 2>&1; then
    log "smoke: image ${ALIAS} already present"
  else
    build_image "${bridge_ip}"
  fi

  CONTAINER="bcm-smoke-$$"
  local start="${SECONDS}"
  lxc launch "${ALIAS}" "${CONTAINER}" >/dev/null
  log "smoke: launched unprivileged container ${CONTAINER} (security.privileged=$(lxc config get "${CONTAINER}" security.privileged || true))"
  if ! wait_for 90 "smoke: DHCP lease on eth0" has_ipv4; then
    lxc exec "${CONTAINER}" -- networkctl status eth0 --no-pager >&2 || true
    die "container got no IPv4 address within 90 s"
  fi
  local ip
  ip="$(container_ipv4)"
  log "smoke: ${CONTAINER} eth0 = ${ip} (after $((SECONDS - start)) s); lease: $(grep -c "${ip}" /var/lib/lxd/networks/lxdbr0/dnsmasq.leases || true) entry in dnsmasq.leases"
  log "smoke: idmap: $(lxc config get "${CONTAINER}" volatile.idmap.current || true)"

  lxc exec "${CONTAINER}" -- timeout 5 bash -c "exec 3<>/dev/tcp/${bridge_ip}/53" ||
    die "container cannot reach the host at ${bridge_ip}:53"
  log "smoke: container -> host ${bridge_ip}:53 (TCP) OK"
  lxc exec "${CONTAINER}" -- timeout 10 getent hosts deb.debian.org >/dev/null ||
    die "container cannot resolve deb.debian.org through dnsmasq"
  log "smoke: DNS through dnsmasq OK"
  lxc exec "${CONTAINER}" -- timeout 10 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' ||
    die "container cannot reach deb.debian.org:80 (FORWARD/NAT; is ensure-firewall.sh applied?)"
  log "smoke: container -> deb.debian.org:80 through NAT/FORWARD OK"
  log "smoke: all checks passed"
}

main "$@"

#!/usr/bin/env bash
# Install the programs BCM uses as interop peers and tools, when missing: GnuPG, pass,
# OpenSSH (client and server: tests start a private sshd on 127.0.0.1), git, debootstrap
# (system-container images), openssl and tor (tests run it with DisableNetwork 1 or on a
# private test network; the system's own tor service is kept from ever starting, since it
# would join the public Tor network). Idempotent: installed packages are left alone.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

PACKAGES=(gnupg pass tree openssh-client openssh-server git debootstrap openssl ca-certificates)

case "${1:-}" in
  -h | --help)
    printf 'Usage: %s [--help]\n\nInstalls, when missing: %s tor (never started as a system service)\n' "${BCM_SCRIPT_NAME}" "${PACKAGES[*]}"
    exit 0
    ;;
  "") ;;
  *) die "unknown argument: ${1} (see --help)" ;;
esac
require_root
take_lock tools
apt_ensure "${PACKAGES[@]}"

# tor: its package would start a tor daemon on the public network. Installing it under a
# policy-rc.d that refuses every service start, and disabling the unit where systemd runs,
# keeps only the tors the project starts itself.
if ! pkg_installed tor; then
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [[ ! -e "${policy}" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"${policy}"
    chmod 755 "${policy}"
    own_policy=1
  fi
  apt_ensure tor
  [[ "${own_policy}" -eq 1 ]] && rm -f "${policy}"
fi
if command -v systemctl >/dev/null 2>&1 && [[ "$(ps -p 1 -o comm=)" == "systemd" ]]; then
  systemctl disable --now tor.service >/dev/null 2>&1 || true
fi
log "tools present: ${PACKAGES[*]} tor"

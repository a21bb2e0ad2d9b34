#!/usr/bin/env bash
# Install the programs BCM uses as interop peers and tools, when missing: GnuPG, pass,
# OpenSSH (client and server: tests start a private sshd on 127.0.0.1), git, debootstrap
# (system-container images) and openssl. Idempotent: installed packages are left alone.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

PACKAGES=(gnupg pass tree openssh-client openssh-server git debootstrap openssl ca-certificates)

case "${1:-}" in
  -h | --help)
    printf 'Usage: %s [--help]\n\nInstalls, when missing: %s\n' "${BCM_SCRIPT_NAME}" "${PACKAGES[*]}"
    exit 0
    ;;
  "") ;;
  *) die "unknown argument: ${1} (see --help)" ;;
esac
require_root
take_lock tools
apt_ensure "${PACKAGES[@]}"
log "tools present: ${PACKAGES[*]}"

#!/usr/bin/env bash
# Run the host scripts in dependency order: Docker, LXD, then the firewall fix-up.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

usage() {
  cat <<EOF2
Usage: ${BCM_SCRIPT_NAME} [--help]

Brings this host's daemons for Bitcoin Cache Machine up, idempotently, in this order:
  0. ensure-tools.sh     GnuPG, pass, OpenSSH, git, debootstrap, openssl
  1. ensure-docker.sh    Docker daemon (docker.io), started detached when not running
  2. ensure-lxd.sh       LXD daemon (lxd), sysctls, subuid/subgid, preseed
  3. ensure-firewall.sh  DOCKER-USER accepts lxdbr0 (Docker's FORWARD DROP otherwise
                         cuts the LXD bridge off)
Docker goes first so that the firewall step finds Docker's chains. Each script also runs
on its own; see their --help. Environment variables are passed through.
EOF2
}

accept_no_arguments "$@"
require_root

for step in ensure-tools.sh ensure-docker.sh ensure-lxd.sh ensure-firewall.sh; do
  start="${SECONDS}"
  log "==== ${step} ===="
  "${SCRIPT_DIR}/${step}"
  log "==== ${step} done in $((SECONDS - start)) s ===="
done
log "all host services ready"

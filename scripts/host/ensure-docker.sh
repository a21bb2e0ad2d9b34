#!/usr/bin/env bash
# Ensure the Docker daemon is installed, running and able to create networks.
# Idempotent: when everything is already in place it only checks, and changes nothing.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

DOCKERD_LOG="${BCM_DOCKERD_LOG:-/var/log/bcm-dockerd.log}"
DOCKER_TIMEOUT="${BCM_DOCKER_TIMEOUT:-90}"

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} [--help]

Ensures the Docker daemon this project needs is present and running:
  1. installs the Debian package docker.io when the daemon binary 'dockerd' is missing
     (a client-only /usr/local/bin/docker does not count), and iptables when missing;
  2. starts dockerd when 'docker info' does not answer: via systemctl when systemd is
     PID 1, otherwise detached in its own session (setsid/nohup), log in ${DOCKERD_LOG};
  3. waits up to ${DOCKER_TIMEOUT} s for the daemon and checks that it works by creating and
     removing a throw-away network.
The storage driver is left as the daemon chooses it (reported, not changed).

Environment:
  BCM_DOCKERD_LOG      daemon log file (default /var/log/bcm-dockerd.log)
  BCM_DOCKER_TIMEOUT   seconds to wait for the daemon (default 90)
  BCM_DOCKERD_ARGS     extra arguments for dockerd when this script starts it (word-split)
EOF
}

docker_answers() {
  local version
  version="$(timeout 15 docker info --format '{{.ServerVersion}}' 2>/dev/null)" || return 1
  [[ -n "${version}" ]]
}

main() {
  accept_no_arguments "$@"
  require_root
  take_lock docker

  # 1. packages
  if command -v dockerd >/dev/null 2>&1; then
    log "docker: daemon binary present ($(command -v dockerd))"
  else
    log "docker: daemon binary 'dockerd' missing"
    apt_ensure docker.io
    command -v dockerd >/dev/null 2>&1 || die "dockerd still missing after installing docker.io"
  fi
  if ! command -v iptables >/dev/null 2>&1; then
    apt_ensure iptables
  fi
  command -v docker >/dev/null 2>&1 || die "no docker client on PATH"

  # 2. daemon
  if docker_answers; then
    log "docker: daemon already answering"
  else
    if pid1_is_systemd; then
      log "docker: systemd is PID 1, running 'systemctl start docker'"
      systemctl start docker
    elif [[ -n "$(daemon_pids dockerd)" ]]; then
      log "docker: dockerd process exists (pid $(daemon_pids dockerd | paste -sd,)) but does not answer yet; waiting"
    else
      log "docker: starting dockerd in the background (no systemd as PID 1); log: ${DOCKERD_LOG}"
      local -a extra=()
      if [[ -n "${BCM_DOCKERD_ARGS:-}" ]]; then
        read -r -a extra <<<"${BCM_DOCKERD_ARGS}"
      fi
      start_detached "${DOCKERD_LOG}" dockerd "${extra[@]}"
    fi
    if ! wait_for "${DOCKER_TIMEOUT}" "docker: daemon" docker_answers; then
      show_log_tail "${DOCKERD_LOG}"
      die "docker daemon did not answer 'docker info' within ${DOCKER_TIMEOUT} s; see ${DOCKERD_LOG}"
    fi
  fi

  # 3. report and functional check
  local info
  info="$(docker info --format 'server {{.ServerVersion}}, storage driver {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}, swarm {{.Swarm.LocalNodeState}}')"
  log "docker: ${info}"
  case "${info}" in
    *"storage driver vfs"*) warn "docker uses the slow 'vfs' storage driver (overlay2 unavailable?); left unchanged" ;;
  esac

  local net="bcm-host-check-$$"
  if ! docker network create "${net}" >/dev/null 2>&1; then
    show_log_tail "${DOCKERD_LOG}"
    die "docker cannot create a network (iptables problem?); see ${DOCKERD_LOG}"
  fi
  docker network rm "${net}" >/dev/null || die "could not remove test network ${net}"
  log "docker: OK (test network created and removed)"
}

main "$@"

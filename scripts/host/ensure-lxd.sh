#!/usr/bin/env bash
# Ensure the LXD daemon is installed, prepared (sysctls, subuid/subgid), running and initialised.
# Idempotent: when everything is already in place it only checks, and changes nothing.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

LXD_LOG="${BCM_LXD_LOG:-/var/log/bcm-lxd.log}"
LXD_TIMEOUT="${BCM_LXD_TIMEOUT:-120}"
LXD_SOCKET="/var/lib/lxd/unix.socket"
PRESEED="${BCM_LXD_PRESEED:-${SCRIPT_DIR}/lxd-preseed.yaml}"
SYSCTL_FILE="/etc/sysctl.d/60-bcm-lxd.conf"
SUBID_LINE="root:1000000:1000000000"

# LXD production-setup values (documentation/production-setup): 100+ system containers
# each running systemd exhaust the kernel defaults (128 inotify instances).
SYSCTLS=(
  "fs.inotify.max_queued_events=1048576"
  "fs.inotify.max_user_instances=1048576"
  "fs.inotify.max_user_watches=1048576"
)

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} [--help]

Ensures the LXD daemon this project needs is present, running and initialised:
  1. installs the Debian packages lxd, lxd-client, dnsmasq-base (DHCP/DNS on the bridge)
     and nftables (so that LXD 5.0.2 uses its nftables firewall driver rather than the
     iptables-nft shim) when missing;
  2. raises fs.inotify.* to LXD's production values (never lowers them) and persists them
     in ${SYSCTL_FILE};
  3. gives root a subordinate uid/gid range in /etc/subuid and /etc/subgid
     (${SUBID_LINE}) when it has none, for unprivileged containers;
  4. starts LXD when ${LXD_SOCKET} does not answer: via systemctl when systemd is
     PID 1, otherwise 'lxd --group root' detached (setsid/nohup), log in ${LXD_LOG};
     then waits ('lxd waitready', up to ${LXD_TIMEOUT} s);
  5. applies ${PRESEED} ('lxd init --preseed')
     when storage pool 'default', network 'lxdbr0', the default profile's root/eth0
     devices or core.https_address are missing.
Steps 2 and 3 run before LXD starts. If they change anything while LXD already runs, the
script says that LXD needs a restart; it does not restart it.

Environment:
  BCM_LXD_LOG       daemon log file (default /var/log/bcm-lxd.log)
  BCM_LXD_TIMEOUT   seconds to wait for the daemon (default 120)
  BCM_LXD_PRESEED   preseed file (default scripts/host/lxd-preseed.yaml)
EOF
}

lxd_answers() {
  [[ -S "${LXD_SOCKET}" ]] && timeout 10 lxc query /1.0 >/dev/null 2>&1
}

# --- sysctl -----------------------------------------------------------------------------
ensure_sysctls() {
  local entry key want have changed=0
  for entry in "${SYSCTLS[@]}"; do
    key="${entry%%=*}"
    want="${entry#*=}"
    have="$(sysctl -n "${key}")"
    if ((have < want)); then
      sysctl -q -w "${key}=${want}"
      log "sysctl: ${key} raised ${have} -> ${want}"
      changed=1
    fi
  done
  local content
  content="$(printf '# Written by scripts/host/ensure-lxd.sh (Bitcoin Cache Machine): LXD production values.\n'
    printf '%s\n' "${SYSCTLS[@]}" | sed 's/=/ = /')"
  if [[ ! -f "${SYSCTL_FILE}" ]] || [[ "$(cat "${SYSCTL_FILE}")" != "${content}" ]]; then
    printf '%s\n' "${content}" >"${SYSCTL_FILE}"
    log "sysctl: wrote ${SYSCTL_FILE} (applied at boot)"
  fi
  if ((changed == 0)); then
    log "sysctl: fs.inotify.* already at or above LXD's production values"
  fi
}

# --- subuid/subgid ----------------------------------------------------------------------
# ensure_subids FILE: echo 1 when the file was changed, 0 otherwise.
ensure_subids() {
  local file="${1}" total
  touch "${file}"
  total="$(awk -F: '$1 == "root" {sum += $3} END {print sum + 0}' "${file}")"
  if ((total == 0)); then
    local overlap
    overlap="$(awk -F: '$1 != "root" && NF == 3 && $2 + $3 > 1000000 && $2 < 1001000000 {print $1}' "${file}")"
    if [[ -n "${overlap}" ]]; then
      warn "${file}: entries of ${overlap//$'\n'/, } overlap ${SUBID_LINE}; adding it anyway"
    fi
    printf '%s\n' "${SUBID_LINE}" >>"${file}"
    log "idmap: added '${SUBID_LINE}' to ${file}" >&2
    echo 1
  else
    if ((total < 65536)); then
      warn "${file}: root has only ${total} subordinate ids; unprivileged containers need 65536"
    fi
    echo 0
  fi
}

# --- initialisation check ---------------------------------------------------------------
# missing_init_parts: print what is missing (empty output = initialised).
missing_init_parts() {
  lxc storage show default >/dev/null 2>&1 || echo "storage pool 'default'"
  lxc network show lxdbr0 >/dev/null 2>&1 || echo "network 'lxdbr0'"
  [[ -n "$(lxc profile device get default root pool 2>/dev/null)" ]] || echo "profile 'default' root disk"
  [[ -n "$(lxc profile device get default eth0 network 2>/dev/null)" ]] || echo "profile 'default' eth0 nic"
  [[ -n "$(lxc config get core.https_address 2>/dev/null)" ]] || echo "core.https_address"
}

main() {
  accept_no_arguments "$@"
  require_root
  take_lock lxd
  [[ -r "${PRESEED}" ]] || die "preseed file ${PRESEED} not readable"

  # 1. packages: btrfs-progs lets LXD offer btrfs pools; iputils-ping lets it find a free
  # subnet for a bridge with ipv4.address=auto.
  apt_ensure lxd lxd-client dnsmasq-base nftables btrfs-progs iputils-ping
  log "lxd: packages present (lxd $(dpkg-query -W -f='${Version}' lxd), $(nft --version 2>/dev/null || echo 'nft missing'))"

  # 2. + 3. host preparation, before the daemon starts
  ensure_sysctls
  local subid_changed=0 c
  for c in /etc/subuid /etc/subgid; do
    if [[ "$(ensure_subids "${c}")" == "1" ]]; then
      subid_changed=1
    fi
  done
  if ((subid_changed == 0)); then
    log "idmap: root already has subordinate uid/gid ranges"
  fi

  # 4. daemon
  if lxd_answers; then
    log "lxd: daemon already answering on ${LXD_SOCKET}"
    if ((subid_changed == 1)); then
      warn "subuid/subgid changed while LXD runs: restart LXD for unprivileged containers to use the new range"
    fi
  else
    if pid1_is_systemd; then
      log "lxd: systemd is PID 1, running 'systemctl start lxd'"
      systemctl start lxd
    elif [[ -n "$(daemon_pids lxd)" ]]; then
      log "lxd: lxd process exists (pid $(daemon_pids lxd | paste -sd,)) but does not answer yet; waiting"
    else
      log "lxd: starting 'lxd --group root' in the background (no systemd as PID 1); log: ${LXD_LOG}"
      (
        ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || true
        start_detached "${LXD_LOG}" lxd --group root
      )
    fi
    if ! timeout "$((LXD_TIMEOUT + 5))" lxd waitready --timeout="${LXD_TIMEOUT}" >/dev/null 2>&1 ||
      ! wait_for 15 "lxd: daemon" lxd_answers; then
      show_log_tail "${LXD_LOG}"
      die "LXD did not become ready within ${LXD_TIMEOUT} s; see ${LXD_LOG}"
    fi
  fi

  # 5. initialisation
  local missing
  missing="$(missing_init_parts)"
  if [[ -n "${missing}" ]]; then
    log "lxd: not initialised (missing: ${missing//$'\n'/, }); applying ${PRESEED}"
    lxd init --preseed <"${PRESEED}"
    missing="$(missing_init_parts)"
    [[ -z "${missing}" ]] || die "still missing after the preseed: ${missing//$'\n'/, }"
    log "lxd: preseed applied"
  else
    log "lxd: already initialised (pool default, network lxdbr0, default profile, https address)"
  fi

  local firewall server https bridge_addr
  server="$(lxc info | awk '/^  server_version:/ {print $2; exit}')"
  firewall="$(lxc info | awk '/^  firewall:/ {print $2; exit}')"
  https="$(lxc config get core.https_address)"
  bridge_addr="$(lxc network get lxdbr0 ipv4.address)"
  log "lxd: OK (server ${server}, firewall driver ${firewall:-unknown}, https ${https}, lxdbr0 ${bridge_addr})"
}

main "$@"

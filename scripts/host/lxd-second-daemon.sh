#!/usr/bin/env bash
# A second LXD daemon on this machine, the way LXD's own test suite simulates several hosts:
# its own LXD_DIR, its own network namespace (a veth pair to the host) and its own mount
# namespace (a fresh sysfs on /sys, the host's /sys/fs/cgroup bound back), so it lists only
# its own network devices and still runs unprivileged system containers.
#
#   lxd-second-daemon.sh start  [--name N] [--address 10.77.0.2/24] [--bridge-address 10.78.0.1/24]
#                               [--ssh-authorized-keys FILE] [--ssh-port 2222]
#   lxd-second-daemon.sh status [--name N]
#   lxd-second-daemon.sh routes [--name N] [--to CIDR]... [--remove]
#   lxd-second-daemon.sh stop   [--name N]
#
# start is idempotent; stop removes everything start made (daemon, containers, namespace,
# veth pair, routes, sshd, LXD_DIR, run dir) and leaves the host as it was. Only traffic
# between the host and the namespace flows: the namespace has no default route and no NAT.
# `routes` makes the two daemons' bridges reach each other, as routed bridges on a LAN do
# between real machines (a data center across endpoints needs that).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} start|stop|status|routes [options]

  start    start (or check) the daemon N: namespace bcm-lxd-N, LXD_DIR /var/lib/bcm-lxd-N,
           HTTPS on the namespace address :8443, preseeded with a dir pool 'default' and
           a bridge 'lxdbr0' (no NAT, no IPv6); with --ssh-authorized-keys also an sshd
           inside the namespace (root login by key only, UsePAM no, temp host key)
  status   print name, lxd_dir, netns, address, url, fingerprint (and ssh, ssh_host_key)
           as 'key: value' lines; exit 3 when the daemon does not run
  routes   route between the bridges, as between two machines on a LAN whose bridge
           subnets are routed: on the host, the daemon's lxdbr0 subnet via the namespace
           address; in the namespace, each --to subnet (default: the subnet of the host
           daemon's lxdbr0) via the host's veth address; and that traffic exempted from
           the bridges' NAT (nftables table ip bcm-lxd-N on both sides). Idempotent;
           prints the routes. With --remove, deletes them again (stop does too)
  stop     stop the daemon and its containers and sshd, delete the namespace, the veth
           pair, the routes, LXD_DIR and the run dir

Options:
  --name N                   lower-case letters and digits, at most 6 (default b)
  --address A/P              the daemon's address inside the namespace (default 10.77.0.2/24);
                             the host side gets .1 of the same /24 (.2 when A ends in .1)
  --bridge-address A/P       the daemon's bridge lxdbr0 (default 10.78.0.1/24); must not
                             overlap lxdbr0 of the host daemon
  --ssh-authorized-keys F    run sshd in the namespace, accepting these keys for root
  --ssh-port P               its port (default 2222)
  --to CIDR                  routes: a subnet on the host side the namespace routes to
                             (repeatable; default the host daemon's lxdbr0 subnet)
  --remove                   routes: delete the routes instead
EOF
}

NAME="b"
ADDRESS="10.77.0.2/24"
BRIDGE_ADDRESS="10.78.0.1/24"
SSH_KEYS=""
SSH_PORT="2222"
LXD_WAIT=90
ROUTES_TO=()
ROUTES_REMOVE=0

parse_args() {
  while (($# > 0)); do
    case "${1}" in
      --name) NAME="${2:?--name needs a value}"; shift 2 ;;
      --address) ADDRESS="${2:?--address needs a value}"; shift 2 ;;
      --bridge-address) BRIDGE_ADDRESS="${2:?--bridge-address needs a value}"; shift 2 ;;
      --ssh-authorized-keys) SSH_KEYS="${2:?--ssh-authorized-keys needs a file}"; shift 2 ;;
      --ssh-port) SSH_PORT="${2:?--ssh-port needs a value}"; shift 2 ;;
      --to) ROUTES_TO+=("${2:?--to needs a subnet}"); shift 2 ;;
      --remove) ROUTES_REMOVE=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; die "unknown argument: ${1}" ;;
    esac
  done
  [[ "${NAME}" =~ ^[a-z0-9]{1,6}$ ]] || die "--name must be 1-6 lower-case letters or digits, got '${NAME}'"
  local cidr='^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$'
  [[ "${ADDRESS}" =~ ${cidr} ]] || die "--address must look like 10.77.0.2/24, got '${ADDRESS}'"
  local last="${BASH_REMATCH[4]}"
  ADDR="${ADDRESS%/*}"
  PREFIX="${ADDRESS#*/}"
  if [[ "${last}" == "1" ]]; then HOST_ADDR="${ADDR%.*}.2"; else HOST_ADDR="${ADDR%.*}.1"; fi
  [[ "${BRIDGE_ADDRESS}" =~ ${cidr} ]] || die "--bridge-address must look like 10.78.0.1/24, got '${BRIDGE_ADDRESS}'"
  [[ "${SSH_PORT}" =~ ^[0-9]{2,5}$ ]] || die "--ssh-port must be a port number, got '${SSH_PORT}'"
  local to
  for to in "${ROUTES_TO[@]}"; do
    [[ "${to}" =~ ${cidr} ]] || die "--to must be a subnet like 10.218.0.0/24, got '${to}'"
  done

  NS="bcm-lxd-${NAME}"
  LXD_DIR="/var/lib/bcm-lxd-${NAME}"
  RUN_DIR="/run/bcm-lxd-${NAME}"
  VETH_HOST="bcmlxd-${NAME}"
  VETH_NS="eth0"
  LOG="${LXD_DIR}/daemon.log"
  PID_FILE="${RUN_DIR}/lxd.pid"
  SSH_DIR="${RUN_DIR}/ssh"
  NAT_TABLE="bcm-lxd-${NAME}"
}

# lxc and lxd against this daemon only.
xlxc() { LXD_DIR="${LXD_DIR}" lxc "$@"; }
xlxd() { LXD_DIR="${LXD_DIR}" lxd "$@"; }

daemon_answers() {
  [[ -S "${LXD_DIR}/unix.socket" ]] && timeout 10 env LXD_DIR="${LXD_DIR}" lxc query /1.0 >/dev/null 2>&1
}

daemon_pid() {
  local pid
  [[ -f "${PID_FILE}" ]] || return 1
  pid="$(cat "${PID_FILE}")"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null && [[ "$(cat "/proc/${pid}/comm" 2>/dev/null)" == "lxd" ]] || return 1
  printf '%s\n' "${pid}"
}

# --- network namespace and veth pair ------------------------------------------------------
ensure_netns() {
  if [[ ! -e "/run/netns/${NS}" ]]; then
    ip netns add "${NS}"
    log "netns: created ${NS}"
  fi
  ip -n "${NS}" link set lo up
  if ! ip link show "${VETH_HOST}" >/dev/null 2>&1; then
    ip link add "${VETH_HOST}" type veth peer name "${VETH_NS}" netns "${NS}"
    log "netns: veth ${VETH_HOST} (host) <-> ${VETH_NS} (${NS})"
  fi
  ip addr replace "${HOST_ADDR}/${PREFIX}" dev "${VETH_HOST}"
  ip link set "${VETH_HOST}" up
  ip -n "${NS}" addr replace "${ADDR}/${PREFIX}" dev "${VETH_NS}"
  ip -n "${NS}" link set "${VETH_NS}" up
}

# --- the daemon ---------------------------------------------------------------------------
start_daemon() {
  if daemon_answers; then
    log "lxd: ${NS} already answering on ${LXD_DIR}/unix.socket"
    return 0
  fi
  if ! daemon_pid >/dev/null; then
    mkdir -p "${LXD_DIR}" "${RUN_DIR}/cgroup"
    chmod 0711 "${LXD_DIR}"
    log "lxd: starting the daemon in ${NS} (net + mount namespace), log ${LOG}"
    # Inside a private mount namespace: keep the host's cgroup tree (with its submounts),
    # put a sysfs of the new network namespace on /sys, then move the cgroups back.
    # (`ip netns exec` would also remount /sys, but it drops /sys/fs/cgroup: containers
    # then die at boot; `nsenter --net` alone keeps the host's sysfs: LXD sees its devices.)
    (
      ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || true
      export LXD_DIR
      # shellcheck disable=SC2016 # the inner script expands its own arguments
      start_detached "${LOG}" \
        nsenter "--net=/run/netns/${NS}" unshare --mount --propagation private -- /bin/sh -ec '
          mount --rbind /sys/fs/cgroup "$1"
          mount -t sysfs sysfs /sys
          mount --move "$1" /sys/fs/cgroup
          echo $$ > "$2"
          exec lxd --group root --logfile "$3"
        ' bcm-lxd-ns "${RUN_DIR}/cgroup" "${PID_FILE}" "${LXD_DIR}/lxd.log"
    )
  fi
  local start="${SECONDS}"
  until daemon_answers; do
    if ((SECONDS - start >= LXD_WAIT)); then
      show_log_tail "${LOG}"
      show_log_tail "${LXD_DIR}/lxd.log"
      die "the LXD daemon ${NS} did not answer within ${LXD_WAIT} s"
    fi
    sleep 0.5
  done
  log "lxd: ${NS} answering after $((SECONDS - start)) s (pid $(daemon_pid || echo '?'))"
}

preseed() {
  cat <<EOF
config:
  core.https_address: "${ADDR}:8443"
storage_pools:
  - name: default
    driver: dir
    description: "BCM second daemon ${NAME} (dir driver)"
networks:
  - name: lxdbr0
    type: bridge
    description: "BCM second daemon ${NAME} bridge"
    config:
      ipv4.address: "${BRIDGE_ADDRESS}"
      ipv4.nat: "false"
      ipv6.address: none
profiles:
  - name: default
    description: Default LXD profile
    devices:
      eth0:
        name: eth0
        network: lxdbr0
        type: nic
      root:
        path: /
        pool: default
        type: disk
EOF
}

missing_init_parts() {
  xlxc storage show default >/dev/null 2>&1 || echo "storage pool 'default'"
  xlxc network show lxdbr0 >/dev/null 2>&1 || echo "network 'lxdbr0'"
  [[ -n "$(xlxc profile device get default root pool 2>/dev/null)" ]] || echo "profile 'default' root disk"
  [[ -n "$(xlxc profile device get default eth0 network 2>/dev/null)" ]] || echo "profile 'default' eth0 nic"
  [[ "$(xlxc config get core.https_address 2>/dev/null)" == "${ADDR}:8443" ]] || echo "core.https_address ${ADDR}:8443"
}

ensure_initialised() {
  local missing
  missing="$(missing_init_parts)"
  if [[ -z "${missing}" ]]; then
    log "lxd: ${NS} already initialised"
    return 0
  fi
  log "lxd: ${NS} missing ${missing//$'\n'/, }; applying the preseed"
  preseed | xlxd init --preseed
  missing="$(missing_init_parts)"
  [[ -z "${missing}" ]] || die "still missing after the preseed: ${missing//$'\n'/, }"
}

# --- sshd in the namespace (for bootstrapping the daemon over SSH in tests) --------------
sshd_pid() {
  local pid
  [[ -f "${SSH_DIR}/sshd.pid" ]] || return 1
  pid="$(cat "${SSH_DIR}/sshd.pid")"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null && [[ "$(cat "/proc/${pid}/comm" 2>/dev/null)" == "sshd" ]] || return 1
  printf '%s\n' "${pid}"
}

ensure_sshd() {
  [[ -r "${SSH_KEYS}" ]] || die "--ssh-authorized-keys ${SSH_KEYS}: not readable"
  apt_ensure openssh-server
  mkdir -p "${SSH_DIR}" /run/sshd
  chmod 0700 "${SSH_DIR}"
  install -m 0600 "${SSH_KEYS}" "${SSH_DIR}/authorized_keys"
  if [[ ! -f "${SSH_DIR}/host_key" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "bcm-lxd-${NAME}" -f "${SSH_DIR}/host_key"
  fi
  cat >"${SSH_DIR}/sshd_config" <<EOF
# sshd of the BCM test daemon ${NAME}: inside netns ${NS} only, root by key only.
Port ${SSH_PORT}
ListenAddress ${ADDR}
HostKey ${SSH_DIR}/host_key
PidFile ${SSH_DIR}/sshd.pid
AuthorizedKeysFile ${SSH_DIR}/authorized_keys
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding no
X11Forwarding no
Subsystem sftp internal-sftp
EOF
  if sshd_pid >/dev/null; then
    log "sshd: already running in ${NS} on ${ADDR}:${SSH_PORT}"
    return 0
  fi
  /usr/sbin/sshd -t -f "${SSH_DIR}/sshd_config"
  # sshd forks into the background itself; nsenter --net keeps the host's mounts, so
  # commands over SSH see the host's files and reach the daemon's unix socket.
  nsenter "--net=/run/netns/${NS}" /usr/sbin/sshd -f "${SSH_DIR}/sshd_config" -E "${SSH_DIR}/sshd.log" 9>&-
  wait_for 10 "sshd: ${NS} ${ADDR}:${SSH_PORT}" sshd_pid || die "sshd did not start; see ${SSH_DIR}/sshd.log"
}

# --- routes between the bridges -------------------------------------------------------------
# The subnet a bridge's kernel route covers, e.g. 10.218.0.0/24 (args: ip options, bridge).
bridge_subnet() {
  ip "${@:1:$#-1}" -o -4 route show dev "${!#}" proto kernel scope link 2>/dev/null | awk '{print $1; exit}'
}

# The NAT exemption: table ip bcm-lxd-N (NAT_TABLE), on the host and in the namespace.
# An nftables script that (re)creates the table with these rules, at srcnat - 1.
nat_exemption() {
  printf 'table ip %s\ndelete table ip %s\ntable ip %s {\n  chain postrouting {\n    type nat hook postrouting priority srcnat - 1; policy accept;\n%s  }\n}\n' \
    "${NAT_TABLE}" "${NAT_TABLE}" "${NAT_TABLE}" "${1}"
}

remove_nat_exemption() {
  if nft list table ip "${NAT_TABLE}" >/dev/null 2>&1; then
    nft delete table ip "${NAT_TABLE}"
  fi
}

cmd_routes() {
  require_root
  take_lock "lxd-second-${NAME}"
  [[ -e "/run/netns/${NS}" ]] || die "namespace ${NS} does not exist; start the daemon first"
  local https ns_addr host_addr ns_subnet to
  # The addresses as start made them (status reads them the same way).
  https="$(xlxc config get core.https_address 2>/dev/null || true)"
  ns_addr="${https%:*}"
  [[ -n "${ns_addr}" ]] || die "the daemon ${NS} does not answer; start it first"
  host_addr="$(ip -o -4 addr show dev "${VETH_HOST}" | awk '{split($4, a, "/"); print a[1]; exit}')"
  ns_subnet="$(bridge_subnet -n "${NS}" lxdbr0)"
  [[ -n "${ns_subnet}" ]] || die "lxdbr0 in ${NS} has no IPv4 subnet"
  if ((${#ROUTES_TO[@]} == 0)); then
    to="$(bridge_subnet lxdbr0)"
    [[ -n "${to}" ]] || die "the host has no lxdbr0 subnet; give --to"
    ROUTES_TO=("${to}")
  fi
  if ((ROUTES_REMOVE == 1)); then
    ip route del "${ns_subnet}" via "${ns_addr}" dev "${VETH_HOST}" 2>/dev/null || true
    for to in "${ROUTES_TO[@]}"; do
      ip -n "${NS}" route del "${to}" via "${host_addr}" 2>/dev/null || true
    done
    remove_nat_exemption
    ip netns exec "${NS}" nft delete table ip "${NAT_TABLE}" 2>/dev/null || true
    log "routes: removed ${ns_subnet} via ${ns_addr} (host) and ${ROUTES_TO[*]} via ${host_addr} (${NS})"
    return 0
  fi
  for to in "${ROUTES_TO[@]}"; do
    [[ "${to}" != "${ns_subnet}" ]] || die "--to ${to} is the namespace bridge's own subnet"
  done
  # Both sides forward (LXD turns forwarding on in the namespace for its bridge; dockerd on the host).
  [[ "$(ip netns exec "${NS}" cat /proc/sys/net/ipv4/ip_forward)" == 1 ]] || ip netns exec "${NS}" sysctl -qw net.ipv4.ip_forward=1
  [[ "$(cat /proc/sys/net/ipv4/ip_forward)" == 1 ]] || warn "the host does not forward IPv4 (net.ipv4.ip_forward=0): the routes will not carry traffic"
  ip route replace "${ns_subnet}" via "${ns_addr}" dev "${VETH_HOST}"
  for to in "${ROUTES_TO[@]}"; do
    ip -n "${NS}" route replace "${to}" via "${host_addr}" dev "${VETH_NS}"
  done
  # Routed means not NATed: a bridge with ipv4.nat (the host's lxdbr0 has it) masquerades
  # everything leaving its subnet, and VXLAN (Docker's overlays, 4789/udp) that passes a source
  # NAT arrives with bad UDP checksums (InCsumErrors on the receiver: the overlay is dead in
  # that direction). LXD's NAT has no exceptions, so a nat chain just before LXD's maps
  # traffic between the bridges to itself, which leaves LXD's masquerade nothing to do.
  local exempt_host="" exempt_ns=""
  for to in "${ROUTES_TO[@]}"; do
    exempt_host+="    ip saddr ${to} ip daddr ${ns_subnet} snat to ip saddr"$'\n'
    exempt_ns+="    ip saddr ${ns_subnet} ip daddr ${to} snat to ip saddr"$'\n'
  done
  nat_exemption "${exempt_host}" | nft -f -
  nat_exemption "${exempt_ns}" | ip netns exec "${NS}" nft -f -
  printf 'host: %s via %s\n' "${ns_subnet}" "${ns_addr}"
  for to in "${ROUTES_TO[@]}"; do
    printf '%s: %s via %s\n' "${NS}" "${to}" "${host_addr}"
  done
}

# --- commands -------------------------------------------------------------------------------
cmd_start() {
  require_root
  take_lock "lxd-second-${NAME}"
  if ip -o -4 addr show | grep -v " ${VETH_HOST} " | grep -q " ${ADDR%.*}\."; then
    die "the subnet of ${ADDRESS} is already in use on this host; choose another --address"
  fi
  ensure_netns
  start_daemon
  ensure_initialised
  if [[ -n "${SSH_KEYS}" ]]; then
    ensure_sshd
  fi
  cmd_status
}

cmd_status() {
  if ! daemon_answers; then
    printf 'name: %s\nstate: stopped\n' "${NAME}"
    return 3
  fi
  local fp https
  fp="$(xlxc info | awk '/^  certificate_fingerprint:/ {print $2; exit}')"
  https="$(xlxc config get core.https_address)"
  # The addresses as they are (start may have been given others than the defaults).
  ADDR="${https%:*}"
  HOST_ADDR="$(ip -o -4 addr show dev "${VETH_HOST}" 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')"
  printf 'name: %s\nstate: running\nlxd_dir: %s\nnetns: %s\naddress: %s\nhost_address: %s\nurl: https://%s\nfingerprint: %s\n' \
    "${NAME}" "${LXD_DIR}" "${NS}" "${ADDR}" "${HOST_ADDR}" "${https}" "${fp}"
  if sshd_pid >/dev/null; then
    printf 'ssh: %s:%s\nssh_host_key: %s\n' "${ADDR}" "$(awk '/^Port / {print $2}' "${SSH_DIR}/sshd_config")" \
      "$(cut -d' ' -f1,2 "${SSH_DIR}/host_key.pub")"
  fi
}

# kill_and_wait SECONDS PID...: TERM, wait, then KILL what is left.
kill_and_wait() {
  local seconds="${1}" pid alive
  shift
  (($# > 0)) || return 0
  kill "$@" 2>/dev/null || true
  for ((i = 0; i < seconds * 2; i++)); do
    alive=0
    for pid in "$@"; do kill -0 "${pid}" 2>/dev/null && alive=1; done
    ((alive == 0)) && return 0
    sleep 0.5
  done
  kill -9 "$@" 2>/dev/null || true
  sleep 0.5
}

cmd_stop() {
  require_root
  take_lock "lxd-second-${NAME}"
  if daemon_answers; then
    log "lxd: stopping the instances of ${NS}"
    xlxc stop --all --force >/dev/null 2>&1 || true
    log "lxd: shutting ${NS} down"
    timeout 120 env LXD_DIR="${LXD_DIR}" lxd shutdown --timeout 90 >/dev/null 2>&1 || warn "lxd shutdown failed; killing"
  fi
  local pid
  if pid="$(daemon_pid)"; then
    kill_and_wait 20 "${pid}"
  fi
  if pid="$(sshd_pid)"; then
    kill_and_wait 5 "${pid}"
    log "sshd: stopped"
  fi
  # Whatever still runs in the namespace (dnsmasq, forkdns, sshd children) is ours.
  if [[ -e "/run/netns/${NS}" ]]; then
    local -a left
    mapfile -t left < <(ip netns pids "${NS}" 2>/dev/null || true)
    if ((${#left[@]} > 0)); then
      log "netns: stopping ${#left[@]} process(es) left in ${NS}"
      kill_and_wait 10 "${left[@]}"
    fi
  fi
  # Container monitors of this LXD_DIR (only if a shutdown went wrong).
  local -a monitors
  mapfile -t monitors < <(pgrep -f "^\[lxc monitor\] ${LXD_DIR}/" || true)
  if ((${#monitors[@]} > 0)); then
    warn "killing ${#monitors[@]} container monitor(s) of ${LXD_DIR}"
    kill_and_wait 10 "${monitors[@]}"
  fi
  # The routes' NAT exemption on the host (the namespace's goes with the namespace).
  remove_nat_exemption
  if ip link show "${VETH_HOST}" >/dev/null 2>&1; then
    # Routes through the veth (cmd_routes) go with it.
    ip link delete "${VETH_HOST}"
  fi
  if [[ -e "/run/netns/${NS}" ]]; then
    ip netns delete "${NS}"
    log "netns: deleted ${NS}"
  fi
  # The daemon's mounts lived in its own mount namespace, gone with its last process;
  # anything mounted below LXD_DIR in the host's namespace would be a bug: refuse to delete.
  local d
  for d in "${LXD_DIR}" "${RUN_DIR}"; do
    if [[ -d "${d}" ]]; then
      if findmnt -rn -o TARGET | grep -q "^${d}\(/\|$\)"; then
        die "something is still mounted below ${d}; not deleting it"
      fi
      rm -rf --one-file-system "${d}"
      log "removed ${d}"
    fi
  done
}

main() {
  local action="${1:-}"
  (($# > 0)) && shift
  case "${action}" in
    start | stop | status | routes) parse_args "$@" ;;
    -h | --help) usage; return 0 ;;
    *) usage >&2; die "expected start, stop, status or routes" ;;
  esac
  case "${action}" in
    start) cmd_start ;;
    routes) cmd_routes ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
  esac
}

main "$@"

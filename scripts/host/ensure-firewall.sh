#!/usr/bin/env bash
# Let LXD's bridge and Docker coexist: accept lxdbr0 traffic in Docker's DOCKER-USER chain.
# Idempotent: every rule is checked with `iptables -C` before it is inserted.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${SCRIPT_DIR}/lib.sh"

BRIDGE="${BCM_LXD_BRIDGE:-lxdbr0}"

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} [--help]

Docker sets the FORWARD policy to DROP when it enables IP forwarding itself, which cuts
the LXD bridge ${BRIDGE} off from everything but the host. This script:
  1. installs iptables when missing;
  2. finds the netfilter backend Docker's chains live in (iptables-nft or iptables-legacy;
     falls back to whatever 'iptables' points to when Docker has not created them yet);
  3. creates the DOCKER-USER chain there when Docker has not yet (Docker adds its jump
     from FORWARD and its trailing RETURN itself when it starts);
  4. inserts, unless already present (checked with 'iptables -C'):
        -A DOCKER-USER -i ${BRIDGE} -j ACCEPT
        -A DOCKER-USER -o ${BRIDGE} -j ACCEPT
     and the same with ip6tables when Docker has an IPv6 DOCKER-USER chain;
  5. reports the backends in use (iptables alternative, Docker, LXD) and FORWARD policy.
The rules are not persisted: run it again after a reboot (after Docker has started), e.g.
through ensure-all.sh.

Environment:
  BCM_LXD_BRIDGE   bridge name (default lxdbr0)
EOF
}

# chain_exists IPT CHAIN
chain_exists() {
  "${1}" -w 5 -S "${2}" >/dev/null 2>&1
}

# legacy_in_use IPTCMD: true unless IPTCMD is a *-legacy command whose kernel tables were
# never instantiated (listing them would load the legacy filter table as a side effect).
legacy_in_use() {
  case "${1}" in
    ip6tables-legacy) [[ -s /proc/net/ip6_tables_names ]] ;;
    iptables-legacy) [[ -s /proc/net/ip_tables_names ]] ;;
    *) return 0 ;;
  esac
}

# docker_backend FAMILY(4|6): print the iptables command whose tables hold Docker's chains.
docker_backend() {
  local prefix="iptables"
  [[ "${1}" == 6 ]] && prefix="ip6tables"
  local cmd
  for cmd in "${prefix}-nft" "${prefix}-legacy"; do
    if command -v "${cmd}" >/dev/null 2>&1 && legacy_in_use "${cmd}" && chain_exists "${cmd}" DOCKER-USER; then
      printf '%s\n' "${cmd}"
      return 0
    fi
  done
  return 1
}

# ensure_rule IPT ARGS...: insert the rule at the top of DOCKER-USER unless present.
ensure_rule() {
  local ipt="${1}"
  shift
  if "${ipt}" -w 5 -C DOCKER-USER "$@" 2>/dev/null; then
    log "firewall: ${ipt}: present: -A DOCKER-USER $*"
  else
    "${ipt}" -w 5 -I DOCKER-USER 1 "$@"
    log "firewall: ${ipt}: added: -A DOCKER-USER $*"
  fi
}

main() {
  accept_no_arguments "$@"
  require_root
  take_lock firewall

  if ! command -v iptables >/dev/null 2>&1; then
    apt_ensure iptables
  fi

  local default_backend default_cmd ipt
  default_backend="$(iptables -V 2>/dev/null | grep -o '(.*)' || echo '(unknown)')"
  case "${default_backend}" in
    "(nf_tables)") default_cmd="iptables-nft" ;;
    "(legacy)") default_cmd="iptables-legacy" ;;
    *) default_cmd="iptables" ;;
  esac
  if ipt="$(docker_backend 4)"; then
    log "firewall: Docker's DOCKER-USER chain is in ${ipt}; 'iptables' is ${default_cmd}"
  else
    ipt="${default_cmd}"
    log "firewall: no DOCKER-USER chain yet; creating it with ${ipt} (what 'iptables' points to)"
    "${ipt}" -w 5 -N DOCKER-USER
    log "firewall: created chain DOCKER-USER (Docker links it into FORWARD when it starts)"
  fi
  case "${ipt}:${default_backend}" in
    *-legacy:"(nf_tables)" | *-nft:"(legacy)")
      warn "Docker's rules are in ${ipt} but 'iptables' is ${default_backend}: the backends are mixed (was the alternative switched after dockerd started?); restart dockerd to make them consistent"
      ;;
  esac

  ensure_rule "${ipt}" -i "${BRIDGE}" -j ACCEPT
  ensure_rule "${ipt}" -o "${BRIDGE}" -j ACCEPT

  local ip6t
  if ip6t="$(docker_backend 6)"; then
    ensure_rule "${ip6t}" -i "${BRIDGE}" -j ACCEPT
    ensure_rule "${ip6t}" -o "${BRIDGE}" -j ACCEPT
  fi

  # report
  local policy lxd_fw="lxd not answering"
  policy="$("${ipt}" -w 5 -S FORWARD | awk '$1 == "-P" {print $3; exit}')"
  if command -v lxc >/dev/null 2>&1 && timeout 10 lxc query /1.0 >/dev/null 2>&1; then
    lxd_fw="$(lxc info | awk '/^  firewall:/ {print $2; exit}')"
  fi
  local other
  for other in iptables-legacy iptables-nft; do
    [[ "${other}" == "${ipt}" ]] && continue
    if ! command -v "${other}" >/dev/null 2>&1 || ! legacy_in_use "${other}"; then
      continue
    fi
    if [[ "$("${other}" -w 5 -S 2>/dev/null | grep -cv '^-P .* ACCEPT$' || true)" -gt 0 ]]; then
      warn "${other} also holds rules; packets traverse both backends, and a DROP in either one wins"
    fi
  done
  log "firewall: OK (FORWARD policy ${policy} in ${ipt}; LXD firewall driver: ${lxd_fw}; ${BRIDGE} accepted in DOCKER-USER)"
}

main "$@"

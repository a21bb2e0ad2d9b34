#!/usr/bin/env bash
# End-to-end check of a BCM image on this host's LXD: import it, launch two unprivileged
# containers from it, check networking, hostname, machine id, systemd and (for images
# with docker) dockerd and Docker Swarm, then delete everything it created.
set -euo pipefail

# shellcheck source=images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE="bcm-template"
KEEP=0
ALIAS=""
CONTAINERS=()
declare -A LAUNCHED_AT=()
IMAGE_WAS_PRESENT=1
FP=""
FAILURES=0

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} [--image NAME] [--keep] [--help]

Builds NAME (default ${IMAGE}) with build.sh if needed, then:
  1. imports metadata.tar.gz + rootfs.tar.gz as alias NAME-test and compares the
     fingerprint LXD reports with NAME-HASH/fingerprint;
  2. launches two unprivileged containers (security.nesting=true) on the default profile;
  3. checks in each: an IPv4 address on eth0 (lxdbr0 DHCP) within 30 s, hostname equal to
     the container name, a non-empty machine id differing between the two, and
     'systemctl is-system-running' (running or degraded; failed units are listed);
  4. if the image has docker: docker.service enabled and active, 'docker info' (storage
     driver overlay2), 'docker run' failing for lack of a registry, and
     'docker swarm init --advertise-addr <eth0 address>' followed by 'swarm leave --force';
  5. deletes the containers, the alias and the image (an image that was already in LXD
     before the run is kept), and checks LXD's instance and image lists are as before.
--keep skips step 5. Exit status 0 means every check passed.
EOF
}

pass() {
  log "PASS ${*}"
}

fail() {
  log "FAIL ${*}"
  FAILURES=$((FAILURES + 1))
}

# lxd_state: what this run may touch (other people's instances and images on the same
# LXD are none of its business): its containers, its alias, and whether the image is there.
lxd_state() {
  lxc list --format csv -c n | grep -E "^bcm-imgtest-[12]-$$\$" || true
  lxc image alias list --format csv | grep -E "^${IMAGE}-test," || true
  if lxc image info "${FP}" >/dev/null 2>&1; then echo "image ${FP} present"; else echo "image ${FP} absent"; fi
}

cleanup() {
  local c
  [[ "${KEEP}" -eq 0 ]] || return 0
  for c in "${CONTAINERS[@]}"; do
    lxc delete --force "${c}" >/dev/null 2>&1 || true
  done
  if [[ -n "${ALIAS}" ]]; then
    if [[ "${IMAGE_WAS_PRESENT}" -eq 0 && -n "${FP}" ]]; then
      lxc image delete "${FP}" >/dev/null 2>&1 || true
    else
      lxc image alias delete "${ALIAS}" >/dev/null 2>&1 || true
    fi
  fi
}

in_c() {
  local c="${1}"
  shift
  lxc exec "${c}" -- "$@"
}

eth0_ipv4() {
  lxc list "${1}" --format csv -c 4 | tr ',' '\n' | tr -d '"' | awk '/\(eth0\)/ {print $1; exit}'
}

# wait_ipv4 NAME: prints "IP SECONDS-SINCE-LAUNCH" once eth0 has an IPv4 address.
wait_ipv4() {
  local c="${1}" start="${LAUNCHED_AT[${1}]}" ip=""
  while ((SECONDS - start < 30)); do
    ip="$(eth0_ipv4 "${c}")"
    if [[ -n "${ip}" ]]; then
      printf '%s %s\n' "${ip}" "$((SECONDS - start))"
      return 0
    fi
    sleep 0.5
  done
  return 1
}

check_container() {
  local c="${1}" got ip secs state
  if got="$(wait_ipv4 "${c}")"; then
    ip="${got% *}"
    secs="${got#* }"
    pass "${c}: eth0 ${ip} from lxdbr0, ${secs} s after launch"
  else
    fail "${c}: no IPv4 on eth0 within 30 s"
    in_c "${c}" networkctl status eth0 --no-pager >&2 || true
  fi
  got="$(in_c "${c}" hostname)"
  if [[ "${got}" == "${c}" ]]; then pass "${c}: hostname ${got}"; else fail "${c}: hostname '${got}'"; fi
  state="$(in_c "${c}" timeout 120 systemctl is-system-running --wait 2>/dev/null || true)"
  case "${state}" in
    running) pass "${c}: systemd is running" ;;
    degraded)
      fail "${c}: systemd is degraded; failed units: $(in_c "${c}" systemctl --failed --no-legend --plain | awk '{print $1}' | paste -sd' ')"
      ;;
    *) fail "${c}: systemd state '${state}'" ;;
  esac
}

check_docker() {
  local c="${1}" ip info out
  ip="$(eth0_ipv4 "${c}")"
  if [[ "$(in_c "${c}" systemctl is-enabled docker.service)" == "enabled" &&
    "$(in_c "${c}" systemctl is-active docker.service)" == "active" ]]; then
    pass "${c}: docker.service enabled and active at boot"
  else
    fail "${c}: docker.service not enabled/active"
  fi
  if info="$(in_c "${c}" docker info --format '{{.ServerVersion}} driver={{.Driver}} cgroup={{.CgroupDriver}}')"; then
    if [[ "${info}" == *driver=overlay2* ]]; then pass "${c}: docker info: ${info}"; else fail "${c}: docker info: ${info}"; fi
  else
    fail "${c}: docker info failed"
  fi
  if out="$(in_c "${c}" timeout 60 docker run --rm hello-world 2>&1)"; then
    fail "${c}: docker run hello-world worked (a registry is reachable?)"
  else
    pass "${c}: docker run fails without a registry: $(printf '%s\n' "${out}" | grep -m1 -i error | cut -c1-200)"
  fi
  if out="$(in_c "${c}" docker swarm init --advertise-addr "${ip}" 2>&1)"; then
    local node
    node="$(in_c "${c}" docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}')"
    pass "${c}: docker swarm init --advertise-addr ${ip}: node ${node}"
    if in_c "${c}" docker swarm leave --force >/dev/null 2>&1 &&
      [[ "$(in_c "${c}" docker info --format '{{.Swarm.LocalNodeState}}')" == "inactive" ]]; then
      pass "${c}: docker swarm leave --force"
    else
      fail "${c}: docker swarm leave --force"
    fi
  else
    fail "${c}: docker swarm init: ${out}"
  fi
}

main() {
  while [[ $# -gt 0 ]]; do
    case "${1}" in
      -h | --help)
        usage
        return 0
        ;;
      --image)
        IMAGE="${2:?--image needs a name}"
        shift
        ;;
      --keep) KEEP=1 ;;
      *)
        usage >&2
        die "unknown argument: ${1}"
        ;;
    esac
    shift
  done
  require_root
  image_exists "${IMAGE}" || die "unknown image ${IMAGE}"
  timeout 10 lxc query /1.0 >/dev/null 2>&1 || die "LXD does not answer; run scripts/host/ensure-all.sh"

  local dir before after
  dir="$("${BCM_IMAGES_DIR}/build.sh" "${IMAGE}" | tail -n 1)"
  FP="$(cat "${dir}/fingerprint")"
  before="$(lxd_state)"
  trap cleanup EXIT

  ALIAS="${IMAGE}-test"
  ! lxc image alias list --format csv | grep -q "^${ALIAS}," || die "alias ${ALIAS} already exists"
  local start="${SECONDS}"
  if lxc image info "${FP}" >/dev/null 2>&1; then
    log "image ${FP:0:12} is already in LXD; adding alias ${ALIAS} only"
    lxc image alias create "${ALIAS}" "${FP}"
  else
    IMAGE_WAS_PRESENT=0
    lxc image import "${dir}/metadata.tar.gz" "${dir}/rootfs.tar.gz" --alias "${ALIAS}" >/dev/null
    log "imported ${dir} as ${ALIAS} in $((SECONDS - start)) s"
  fi
  local lxd_fp
  lxd_fp="$(lxc image info "${ALIAS}" | awk '/^Fingerprint:/ {print $2}')"
  if [[ "${lxd_fp}" == "${FP}" ]]; then pass "LXD fingerprint ${lxd_fp} = ${dir}/fingerprint"; else fail "LXD fingerprint ${lxd_fp} != ${FP}"; fi

  local c i
  for i in 1 2; do
    c="bcm-imgtest-${i}-$$"
    start="${SECONDS}"
    lxc launch "${ALIAS}" "${c}" -c security.nesting=true >/dev/null
    CONTAINERS+=("${c}")
    LAUNCHED_AT["${c}"]="${start}"
    log "launched ${c} in $((SECONDS - start)) s; security.privileged='$(lxc config get "${c}" security.privileged || true)'" \
      "(unprivileged), idmap $(lxc config get "${c}" volatile.idmap.current | grep -o '"Hostid":[0-9]*' | head -n 1 || true)"
  done
  local -a ids=() hosts=()
  for c in "${CONTAINERS[@]}"; do
    check_container "${c}"
    ids+=("$(in_c "${c}" cat /etc/machine-id)")
    hosts+=("$(in_c "${c}" hostname)")
  done
  if [[ "${hosts[0]}" != "${hosts[1]}" ]]; then
    pass "hostnames differ: ${hosts[*]}"
  else
    fail "hostnames equal: ${hosts[*]}"
  fi
  if [[ -n "${ids[0]}" && -n "${ids[1]}" && "${ids[0]}" != "${ids[1]}" ]]; then
    pass "machine ids differ: ${ids[0]} ${ids[1]}"
  else
    fail "machine ids: '${ids[0]}' '${ids[1]}'"
  fi
  if in_c "${CONTAINERS[0]}" test -x /usr/sbin/dockerd; then
    check_docker "${CONTAINERS[0]}"
  fi

  if [[ "${KEEP}" -eq 0 ]]; then
    cleanup
    CONTAINERS=()
    ALIAS=""
    after="$(lxd_state)"
    if [[ "${before}" == "${after}" ]]; then
      pass "LXD as before: no test containers, no alias, $(tail -n 1 <<<"${after}")"
    else
      fail "LXD state changed: before '${before}', after '${after}'"
    fi
  fi
  if [[ "${FAILURES}" -gt 0 ]]; then
    die "${FAILURES} check(s) failed"
  fi
  log "all checks passed"
}

main "$@"

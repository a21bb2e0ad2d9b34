# shellcheck shell=bash
# Shared helpers for the scripts/host/ensure-*.sh scripts. Source it, do not run it.
#
# Everything here is idempotent: the helpers look before they act, and act only when
# something is missing.

# Make sure the sbin directories are on PATH (dockerd, iptables, sysctl live there).
case ":${PATH}:" in
  *:/usr/sbin:*) ;;
  *) PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin" ;;
esac
export PATH

BCM_SCRIPT_NAME="$(basename "${0}")"

log() {
  printf '[bcm host] %s\n' "$*"
}

warn() {
  printf '[bcm host] WARNING: %s\n' "$*" >&2
}

die() {
  printf '[bcm host] ERROR: %s\n' "$*" >&2
  exit 1
}

# accept_no_arguments "$@": the ensure-* scripts take no arguments but --help, which prints
# the script's usage() and exits 0; anything else is an error naming the argument.
accept_no_arguments() {
  case "${1:-}" in
    -h | --help)
      usage
      exit 0
      ;;
    "") ;;
    *)
      usage >&2
      die "unknown argument: ${1}"
      ;;
  esac
}

require_root() {
  if [[ "$(id -u)" -ne 0 ]]; then
    die "${BCM_SCRIPT_NAME} must run as root"
  fi
}

# take_lock NAME: serialise concurrent runs of the same script. The lock lives on fd 9,
# which must be closed for anything started in the background (see start_detached).
take_lock() {
  local lock="/run/lock/bcm-host-${1}.lock"
  mkdir -p /run/lock
  exec 9>"${lock}"
  if ! flock -w 600 9; then
    die "could not take ${lock} within 600 s (another run still busy?)"
  fi
}

# pid1_is_systemd: true when systemd is the init system (PID 1) of this machine.
pid1_is_systemd() {
  [[ -d /run/systemd/system ]] && [[ "$(ps -p 1 -o comm= 2>/dev/null)" == "systemd" ]]
}

# pkg_installed PKG: true when the Debian package is installed.
pkg_installed() {
  dpkg-query -W -f='${Status}' "${1}" 2>/dev/null | grep -q 'install ok installed'
}

# pkg_has_candidate PKG: true when the local package lists know an installable version.
pkg_has_candidate() {
  local candidate
  candidate="$(apt-cache policy "${1}" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  [[ -n "${candidate}" && "${candidate}" != "(none)" ]]
}

BCM_APT_UPDATED=0
apt_update_once() {
  if [[ "${BCM_APT_UPDATED}" -eq 0 ]]; then
    log "apt: refreshing package lists (apt-get update)"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
    BCM_APT_UPDATED=1
  fi
}

# apt_ensure PKG...: install the packages that are missing (without recommends).
# apt-get update runs only when a missing package is unknown to the local lists, or
# when the first install attempt fails (stale lists pointing at vanished .debs).
apt_ensure() {
  local pkg
  local -a missing=()
  for pkg in "$@"; do
    pkg_installed "${pkg}" || missing+=("${pkg}")
  done
  if [[ "${#missing[@]}" -eq 0 ]]; then
    return 0
  fi
  log "apt: installing missing package(s): ${missing[*]}"
  for pkg in "${missing[@]}"; do
    if ! pkg_has_candidate "${pkg}"; then
      apt_update_once
      break
    fi
  done
  local -a cmd=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}")
  if ! DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >/dev/null; then
    if [[ "${BCM_APT_UPDATED}" -eq 1 ]]; then
      die "apt-get install ${missing[*]} failed"
    fi
    warn "apt-get install failed; refreshing package lists and retrying once"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
  fi
  log "apt: installed ${missing[*]}"
}

# start_detached LOGFILE CMD...: start CMD in its own session, detached from the calling
# shell (no controlling terminal, stdin from /dev/null, stdout+stderr appended to LOGFILE,
# lock fd 9 closed), so it survives the shell that ran this script.
start_detached() {
  local logfile="${1}"
  shift
  mkdir -p "$(dirname "${logfile}")"
  printf '\n===== %s: started by %s: %s =====\n' "$(date -Is)" "${BCM_SCRIPT_NAME}" "$*" >>"${logfile}"
  nohup setsid "$@" </dev/null >>"${logfile}" 2>&1 9>&- &
  disown "$!" 2>/dev/null || true
}

# wait_for TIMEOUT_S DESCRIPTION CMD...: poll CMD every 0.5 s until it succeeds.
wait_for() {
  local timeout_s="${1}" what="${2}"
  shift 2
  local start="${SECONDS}"
  while ! "$@" >/dev/null 2>&1; do
    if ((SECONDS - start >= timeout_s)); then
      return 1
    fi
    sleep 0.5
  done
  log "${what} ready after $((SECONDS - start)) s"
}

# show_log_tail LOGFILE: print the end of a daemon log to stderr (for error reports).
show_log_tail() {
  if [[ -f "${1}" ]]; then
    printf '[bcm host] ---- last lines of %s ----\n' "${1}" >&2
    tail -n 25 "${1}" >&2 || true
    printf '[bcm host] ---- end of %s ----\n' "${1}" >&2
  fi
}

# daemon_pids NAME: PIDs of running daemon processes whose command name is NAME and
# whose first argument is empty or an option (so `lxd forkstart ...` helpers do not count).
daemon_pids() {
  local pid arg1
  for pid in $(pgrep -x "${1}" || true); do
    arg1="$(tr '\0' '\n' <"/proc/${pid}/cmdline" 2>/dev/null | sed -n 2p || true)"
    if [[ -z "${arg1}" || "${arg1}" == -* ]]; then
      printf '%s\n' "${pid}"
    fi
  done
}

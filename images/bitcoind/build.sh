#!/usr/bin/env bash
# Builds (or reuses) bcm/bitcoind:VERSION-SHA16, the Docker image of Bitcoin Core's bitcoind,
# from a release tarball the user supplies, and only after verifying it with verify.ts:
# SHA256SUMS signed by at least N trusted builders' keys, the tarball's sha256 listed in it.
# Nothing is downloaded. See images/bitcoind/README.md.
set -euo pipefail

case ":${PATH}:" in
  *:/usr/sbin:*) ;;
  *) PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin" ;;
esac
export PATH

log() {
  printf '[bcm bitcoind] %s\n' "$*" >&2
}
warn() {
  printf '[bcm bitcoind] WARNING: %s\n' "$*" >&2
}
die() {
  printf '[bcm bitcoind] ERROR: %s\n' "$*" >&2
  exit 1
}

BITCOIND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "${BITCOIND_DIR}/../.." && pwd)"
BITCOIND_CACHE="${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/bcm}/bitcoind"
REPOSITORY=bcm
DEFAULT_THRESHOLD=3 # as verify.ts, and Bitcoin Core's contrib/verify-binaries
# As images/docker/build.sh: the legacy builder uses the local FROM image as it is, and
# never asks a registry.
export DOCKER_BUILDKIT=0

usage() {
  cat <<EOF
Usage: images/bitcoind/build.sh --release DIR --keys DIR --version V [--threshold N] [--force]
       images/bitcoind/build.sh --release DIR --keys DIR --version V [--threshold N] --print
       images/bitcoind/build.sh --help

Verifies a Bitcoin Core release, then builds the Docker image ${REPOSITORY}/bitcoind:V-SHA16 from it
(SHA16: the first 16 hex digits of the tarball's sha256) on BCM's bcm/debian image, or
reuses that image when it exists. Nothing is built from a tarball that fails verification.

  --release DIR   holds bitcoin-V-x86_64-linux-gnu.tar.gz, SHA256SUMS and SHA256SUMS.asc,
                  as published at https://bitcoincore.org/bin/bitcoin-core-V/
  --keys DIR      the public keys (*.asc, *.gpg) of the builders you trust, e.g. from
                  https://github.com/bitcoin-core/guix.sigs/tree/main/builder-keys
  --version V     the release: 27.1, 28.0rc2, ...
  --threshold N   how many distinct trusted keys must have signed SHA256SUMS (default ${DEFAULT_THRESHOLD})
  --force         rebuild the image even when its tag exists (e.g. after bcm/debian or this
                  directory changed; the tag covers only the tarball)
  --print         verify, then print the image if it is built; exit 1 when it is not.
                  Builds nothing, needs no root, only access to dockerd

The image holds /usr/local/bin/bitcoind and bitcoin-cli from the tarball's bitcoin-V/bin/,
runs bitcoind as the user bitcoin (uid/gid 1103), whose data directory is /var/lib/bitcoind
(mount a volume there); its labels record the version, the tarball's sha256 and the
fingerprints of the keys that signed. The last line on stdout is JSON:
{"bitcoind":"${REPOSITORY}/bitcoind:V-SHA16"}. Progress goes to stderr, the build's output
to ${BITCOIND_CACHE}/bitcoind-V-SHA16.log. Building needs root (it drives dockerd,
and builds bcm/debian with images/docker/build.sh when that is missing).
EOF
}

now() {
  printf '%s' "${EPOCHREALTIME}"
}
since() {
  awk -v s="${1}" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", n - s }'
}

# js EXPR: EXPR evaluated with v = the JSON read from stdin (EXPR is this script's own code).
js() {
  node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(String(new Function("v", "return (" + process.argv[1] + ")")(v)))' "${1}"
}

docker_has() {
  docker image inspect "${1}" >/dev/null 2>&1
}

label_of() {
  docker image inspect -f "{{index .Config.Labels \"${2}\"}}" "${1}" 2>/dev/null
}

require_docker() {
  command -v docker >/dev/null 2>&1 || die "no docker client on PATH (run: bash scripts/host/ensure-all.sh)"
  local err
  if ! err="$(timeout 20 docker info 2>&1 >/dev/null)"; then
    if [[ "${err}" == *"permission denied"* ]]; then
      die "no permission to talk to dockerd: run as root (or, for --print, as a member of the docker group)"
    fi
    die "dockerd does not answer 'docker info' (start it with: bash scripts/host/ensure-all.sh)"
  fi
}

# build_inputs: 16 hex digits over this directory's Dockerfile and build.sh, recorded as a
# label, so that an image built by other ones can be told apart (the tag does not cover them).
build_inputs() {
  (cd "${BITCOIND_DIR}" && sha256sum Dockerfile build.sh) | sha256sum | cut -c1-16
}

WORK=""
cleanup() {
  [[ -z "${WORK}" ]] || rm -rf "${WORK}"
}
trap cleanup EXIT

main() {
  local release="" keys="" version="" threshold="${DEFAULT_THRESHOLD}" mode=build force=0 start
  start="$(now)"
  while [[ $# -gt 0 ]]; do
    case "${1}" in
      -h | --help)
        usage
        return 0
        ;;
      --release | --keys | --version | --threshold)
        [[ $# -ge 2 && -n "${2}" ]] || die "${1} needs a value (see --help)"
        case "${1}" in
          --release) release="${2}" ;;
          --keys) keys="${2}" ;;
          --version) version="${2}" ;;
          --threshold) threshold="${2}" ;;
        esac
        shift
        ;;
      --print) mode=print ;;
      --force) force=1 ;;
      *)
        usage >&2
        die "unknown argument: ${1}"
        ;;
    esac
    shift
  done
  [[ -n "${release}" && -n "${keys}" && -n "${version}" ]] || {
    usage >&2
    die "--release, --keys and --version are required"
  }
  if [[ "${mode}" == build && "$(id -u)" -ne 0 ]]; then
    die "images/bitcoind/build.sh must run as root (it drives dockerd, and may build bcm/debian); run it with sudo, or use --print, which only reads"
  fi
  command -v node >/dev/null 2>&1 || die "no node on PATH (run: bash scripts/setup.sh)"
  [[ -f "${REPO_DIR}/node_modules/ts-node/register/transpile-only.js" ]] || die "node_modules is missing ts-node (run: npm ci in ${REPO_DIR})"

  # 1. Verify, before anything else.
  local verdict
  log "verifying ${release} against the keys in ${keys} (threshold ${threshold})"
  if ! verdict="$(TS_NODE_PROJECT="${REPO_DIR}/tsconfig.json" node -r "${REPO_DIR}/node_modules/ts-node/register/transpile-only" \
    "${BITCOIND_DIR}/verify.ts" --release "${release}" --keys "${keys}" --version "${version}" --threshold "${threshold}")"; then
    die "release ${version} NOT verified (reason above): nothing was built"
  fi
  local sha file signers
  sha="$(js v.sha256 <<<"${verdict}")"
  file="$(js v.fileName <<<"${verdict}")"
  version="$(js v.version <<<"${verdict}")"
  signers="$(js 'v.signers.map((s) => s.fingerprint).join(",")' <<<"${verdict}")"
  log "verified ${file}: sha256 ${sha}, listed in SHA256SUMS, signed by $(js 'v.signers.length' <<<"${verdict}") trusted keys (threshold ${threshold}):"
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  js 'v.signers.map((s) => `    ${s.fingerprint} ${s.userId}`).join("\n")' <<<"${verdict}" >&2
  printf '\n' >&2
  local ignored
  # shellcheck disable=SC2016
  ignored="$(js 'v.notCounted.map((n) => `    not counted (line ${n.line}, key ${n.fingerprint ?? n.keyId}): ${n.reason}`).join("\n")' <<<"${verdict}")"
  [[ -z "${ignored}" ]] || printf '%s\n' "${ignored}" >&2

  local tag="${REPOSITORY}/bitcoind:${version}-${sha:0:16}"
  require_docker
  if docker_has "${tag}"; then
    local built_from
    built_from="$(label_of "${tag}" bcm.bitcoind.tarball-sha256)"
    [[ "${built_from}" == "${sha}" ]] || die "${tag} exists but was not built from this tarball (its label bcm.bitcoind.tarball-sha256 is '${built_from}'): remove it (docker rmi ${tag}) and run again"
  fi
  if [[ "${mode}" == print ]]; then
    if docker_has "${tag}"; then
      printf '{"bitcoind":"%s"}\n' "${tag}"
      return 0
    fi
    log "not built: ${tag} (build with: images/bitcoind/build.sh, as root)"
    printf '{}\n'
    return 1
  fi
  if [[ "${force}" -eq 0 ]] && docker_has "${tag}"; then
    if [[ "$(label_of "${tag}" bcm.bitcoind.build-inputs)" != "$(build_inputs)" ]]; then
      warn "${tag} was built by another version of images/bitcoind/Dockerfile or build.sh: rebuild it with --force"
    fi
    log "reusing ${tag}"
    printf '{"bitcoind":"%s"}\n' "${tag}"
    return 0
  fi

  # 2. The base image: bcm/debian, built from Debian packages (images/docker/build.sh).
  mkdir -p "${BITCOIND_CACHE}"
  exec 8>"${BITCOIND_CACHE}/.lock"
  if ! flock -n 8; then
    log "waiting for another build of a bitcoind image (lock ${BITCOIND_CACHE}/.lock)"
    flock -w 3600 8 || die "could not take ${BITCOIND_CACHE}/.lock within an hour"
  fi
  local base
  base="$(bash "${REPO_DIR}/images/docker/build.sh" debian | tail -n 1 | js 'v.debian ?? ""')" || die "could not build or find bcm/debian (images/docker/build.sh debian)"
  [[ -n "${base}" ]] || die "images/docker/build.sh debian printed no debian tag"

  # 3. The build context, from a copy of the tarball that is checked again (the one in
  # DIR could change after verification).
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/bcm-bitcoind.XXXXXX")"
  cp -- "${release}/${file}" "${WORK}/${file}"
  local copied
  copied="$(sha256sum "${WORK}/${file}" | cut -d' ' -f1)"
  [[ "${copied}" == "${sha}" ]] || die "${release}/${file} changed after it was verified (sha256 now ${copied}): nothing was built"
  mkdir "${WORK}/extract" "${WORK}/context"
  local member
  local -a members=("bitcoin-${version}/bin/bitcoind" "bitcoin-${version}/bin/bitcoin-cli")
  tar -xzf "${WORK}/${file}" -C "${WORK}/extract" --no-same-owner --no-same-permissions --no-wildcards "${members[@]}" 2>"${WORK}/tar.err" ||
    die "${file} does not hold ${members[*]} as a Bitcoin Core release does: $(tr '\n' ' ' <"${WORK}/tar.err")"
  for member in "${members[@]}"; do
    [[ -f "${WORK}/extract/${member}" && ! -L "${WORK}/extract/${member}" ]] || die "${file}: ${member} is not a regular file"
    install -m 0755 "${WORK}/extract/${member}" "${WORK}/context/${member##*/}"
  done
  cp "${BITCOIND_DIR}/Dockerfile" "${WORK}/context/Dockerfile"

  # 4. Build, and check that bitcoind runs in the image.
  local logfile="${BITCOIND_CACHE}/bitcoind-${version}-${sha:0:16}.log" previous="" built
  previous="$(docker image inspect -f '{{.Id}}' "${tag}" 2>/dev/null || true)"
  log "building ${tag} on ${base} (log: ${logfile})"
  local -a args=(--pull=false --rm --force-rm
    --build-arg "BASE=${base}"
    --label "org.opencontainers.image.title=${REPOSITORY}/bitcoind"
    --label "org.opencontainers.image.version=${version}"
    --label "bcm.bitcoind.version=${version}"
    --label "bcm.bitcoind.tarball=${file}"
    --label "bcm.bitcoind.tarball-sha256=${sha}"
    --label "bcm.bitcoind.signers=${signers}"
    --label "bcm.bitcoind.threshold=${threshold}"
    --label "bcm.bitcoind.base=${base}"
    --label "bcm.bitcoind.build-inputs=$(build_inputs)"
    -t "${tag}")
  [[ "${force}" -eq 0 ]] || args+=(--no-cache)
  printf '===== %s: docker build %s\n' "$(date -u +%FT%TZ)" "${tag}" >"${logfile}"
  if ! docker build "${args[@]}" "${WORK}/context" >>"${logfile}" 2>&1; then
    grep -v -e '^DEPRECATED: The legacy builder' -e '^ *BuildKit is currently disabled' -e '^ *environment-variable\.' \
      "${logfile}" | tail -n 30 | sed 's/^/    /' >&2
    die "docker build of ${tag} failed (full log: ${logfile})"
  fi
  local said
  if ! said="$(docker run --rm --network none "${tag}" --version 2>&1)"; then
    printf '%s\n' "${said}" | tail -n 10 | sed 's/^/    /' >&2
    docker rmi "${tag}" >/dev/null 2>&1 || true
    die "the built image's 'bitcoind --version' failed (output above), so ${tag} was removed: is ${file} a Linux x86_64 release?"
  fi
  printf '%s\n' "${said}" >>"${logfile}"
  log "bitcoind --version: $(head -n 1 <<<"${said}")"
  built="$(docker image inspect -f '{{.Id}}' "${tag}")"
  if [[ -n "${previous}" && "${previous}" != "${built}" ]]; then
    docker rmi "${previous}" >/dev/null 2>&1 || true # replaced by --force; kept if a container uses it
  fi
  log "built ${tag} in $(since "${start}") s ($(($(docker image inspect -f '{{.Size}}' "${tag}") / 1000000)) MB)"
  printf '{"bitcoind":"%s"}\n' "${tag}"
}

main "$@"

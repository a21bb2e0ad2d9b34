#!/usr/bin/env bash
# go_module_build NAME CONTEXT MODULE VERSION SUM TAGS LDFLAGS BIN... -- PACKAGE...
# Sourced by the prepare.sh of images built from Go modules (btcd, lnd): builds PACKAGEs of
# MODULE@VERSION into CONTEXT/bin/, where the Dockerfile copies BINs from.
#
# The source comes from the Go module proxy with `go mod download` (checked against the
# checksum database, and here against the pinned h1: SUM); it is copied to a writable
# directory (the module cache is read-only, and a module with replace directives cannot be
# built with `go install MODULE@VERSION`) and built there: static (CGO_ENABLED=0),
# -trimpath, with TAGS and LDFLAGS, and the host's Go build and module caches, so a second
# build only links. images/docker/build.sh puts this file in every image's tag hash.
go_module_build() {
  local name="${1}" context="${2}" module="${3}" version="${4}" want_sum="${5}" tags="${6}" ldflags="${7}"
  shift 7
  local -a bins=() packages=()
  while [[ $# -gt 0 && "${1}" != "--" ]]; do
    bins+=("${1}")
    shift
  done
  [[ "${1:-}" == "--" ]] && shift
  packages=("$@")
  log() {
    printf '[%s prepare] %s\n' "${name}" "$*" >&2
  }
  command -v go >/dev/null 2>&1 || {
    log "ERROR: no Go toolchain on PATH (the host needs Go to build ${module}@${version})"
    return 1
  }
  # Never fetch another toolchain: build with the host's Go.
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
  log "$(go version); ${module}@${version}"

  local download dir sum
  download="$(go mod download -json "${module}@${version}")"
  field() {
    printf '%s\n' "${download}" | sed -n "s/^[[:space:]]*\"${1}\": \"\(.*\)\",\{0,1\}$/\1/p" | head -n 1
  }
  dir="$(field Dir)"
  sum="$(field Sum)"
  [[ -n "${dir}" && -d "${dir}" ]] || {
    log "ERROR: go mod download gave no source directory: ${download}"
    return 1
  }
  [[ "${sum}" == "${want_sum}" ]] || {
    log "ERROR: ${module}@${version} has sum ${sum}, expected ${want_sum}"
    return 1
  }

  # The module cache is read-only: build in a writable copy.
  GO_MODULE_SRC="$(mktemp -d "${TMPDIR:-/tmp}/bcm-${name}-src.XXXXXX")"
  trap 'rm -rf "${GO_MODULE_SRC}"' EXIT
  cp -R "${dir}/." "${GO_MODULE_SRC}/"
  chmod -R u+w "${GO_MODULE_SRC}"

  mkdir -p "${context}/bin"
  local start="${EPOCHREALTIME}" bin
  local -a tagflag=()
  [[ -z "${tags}" ]] || tagflag=("-tags=${tags}")
  (cd "${GO_MODULE_SRC}" && go build -trimpath "${tagflag[@]}" -ldflags="${ldflags}" -o "${context}/bin/" "${packages[@]}")
  log "go build: $(awk -v s="${start}" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", n - s }') s"
  for bin in "${bins[@]}"; do
    [[ -x "${context}/bin/${bin}" ]] || {
      log "ERROR: ${bin} was not built"
      return 1
    }
    # Whatever the umask: the Dockerfile's COPY keeps this mode.
    chmod 0755 "${context}/bin/${bin}"
    "${context}/bin/${bin}" --version >&2
  done
  ls -l "${context}/bin" >&2
}

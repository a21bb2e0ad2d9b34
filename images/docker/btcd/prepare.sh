#!/usr/bin/env bash
# prepare.sh CONTEXT: builds btcd and btcctl from the Go module github.com/btcsuite/btcd at
# the pinned version into CONTEXT/bin/, for the Dockerfile to copy. Run by
# images/docker/build.sh on the host (in a copy of this directory) before `docker build`.
#
# The source comes from the Go module proxy (GOPROXY); `go mod download` checks it against
# the checksum database (GOSUMDB) and this script against the pinned h1: sum below. The
# build is static (CGO_ENABLED=0), -trimpath, stripped, with the host's Go build and module
# caches, so a second build only links. This file is part of the image's tag: a new version
# (or new flags) gives a new tag.
set -euo pipefail

MODULE=github.com/btcsuite/btcd
VERSION=v0.24.2
# go.sum's h1: hash of the module zip (also in the checksum database).
SUM=h1:aLmxPguqxza+4ag8R1I2nnJjSu2iFn/kqtHTIImswcY=
# Packages to build: btcd (the module root) and btcctl.
PACKAGES=(. ./cmd/btcctl)
LDFLAGS="-s -w -buildid="

context="${1:?usage: prepare.sh CONTEXT}"
log() {
  printf '[btcd prepare] %s\n' "$*" >&2
}
command -v go >/dev/null 2>&1 || {
  log "ERROR: no Go toolchain on PATH (the host needs Go to build ${MODULE}@${VERSION})"
  exit 1
}
# Never fetch another toolchain: build with the host's Go.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
log "$(go version); ${MODULE}@${VERSION}"

download="$(go mod download -json "${MODULE}@${VERSION}")"
field() {
  printf '%s\n' "${download}" | sed -n "s/^[[:space:]]*\"${1}\": \"\(.*\)\",\{0,1\}$/\1/p" | head -n 1
}
dir="$(field Dir)"
sum="$(field Sum)"
[[ -n "${dir}" && -d "${dir}" ]] || {
  log "ERROR: go mod download gave no source directory: ${download}"
  exit 1
}
[[ "${sum}" == "${SUM}" ]] || {
  log "ERROR: ${MODULE}@${VERSION} has sum ${sum}, expected ${SUM}"
  exit 1
}

# The module cache is read-only: build in a writable copy.
src="$(mktemp -d "${TMPDIR:-/tmp}/bcm-btcd-src.XXXXXX")"
trap 'rm -rf "${src}"' EXIT
cp -R "${dir}/." "${src}/"
chmod -R u+w "${src}"

mkdir -p "${context}/bin"
start="${EPOCHREALTIME}"
(cd "${src}" && go build -trimpath -ldflags="${LDFLAGS}" -o "${context}/bin/" "${PACKAGES[@]}")
log "go build: $(awk -v s="${start}" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", n - s }') s"
for bin in btcd btcctl; do
  [[ -x "${context}/bin/${bin}" ]] || {
    log "ERROR: ${bin} was not built"
    exit 1
  }
  # Whatever the umask: the Dockerfile's COPY keeps this mode.
  chmod 0755 "${context}/bin/${bin}"
done
"${context}/bin/btcd" --version >&2
ls -l "${context}/bin" >&2

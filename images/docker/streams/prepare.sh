#!/usr/bin/env bash
# prepare.sh CONTEXT: builds bcm-streams from this repository's services/streams (a Go
# module whose go.mod and go.sum pin every dependency) into CONTEXT/bin/, for the Dockerfile
# to copy. Run by images/docker/build.sh on the host (in a copy of this directory) before
# `docker build`; build.sh passes BCM_REPO, the repository root, and puts
# services/streams's files into the image's tag ("# bcm-source:" in the Dockerfile).
#
# Static (CGO_ENABLED=0), -trimpath, stripped, with the host's Go (never another
# toolchain: GOTOOLCHAIN=local) and its build and module caches; dependencies not yet in the
# module cache come from the Go module proxy, checked against go.sum (-mod=readonly).
set -euo pipefail

context="${1:?usage: prepare.sh CONTEXT}"
src="${BCM_REPO:?run by images/docker/build.sh, which sets BCM_REPO}/services/streams"
log() {
  printf '[streams prepare] %s\n' "$*" >&2
}
command -v go >/dev/null 2>&1 || {
  log "ERROR: no Go toolchain on PATH (the host needs Go to build services/streams)"
  exit 1
}
[[ -f "${src}/go.mod" ]] || {
  log "ERROR: ${src}/go.mod is missing"
  exit 1
}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
log "$(go version); ${src}"
mkdir -p "${context}/bin"
start="${EPOCHREALTIME}"
(cd "${src}" && go build -trimpath -ldflags="-s -w -buildid=" -o "${context}/bin/bcm-streams" ./cmd/bcm-streams)
log "go build: $(awk -v s="${start}" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", n - s }') s"
chmod 0755 "${context}/bin/bcm-streams"
"${context}/bin/bcm-streams" --version >&2
ls -l "${context}/bin" >&2

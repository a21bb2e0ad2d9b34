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
# shellcheck source=images/docker/lib/go-module.sh
source "${BCM_DOCKER_LIB:?run by images/docker/build.sh, which sets BCM_DOCKER_LIB}/go-module.sh"
go_module_build btcd "${context}" "${MODULE}" "${VERSION}" "${SUM}" "" "${LDFLAGS}" btcd btcctl -- "${PACKAGES[@]}"

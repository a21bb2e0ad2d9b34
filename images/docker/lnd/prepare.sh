#!/usr/bin/env bash
# prepare.sh CONTEXT: builds lnd and lncli from the Go module
# github.com/lightningnetwork/lnd at the pinned version, and BCM's lnd tools (bcm-lnd-tools:
# bcm-lnd-start, bcm-lnd-seed, bcm-chanbackup) from this repository's services/lnd, into
# CONTEXT/bin/, for
# the Dockerfile to copy. Run by images/docker/build.sh on the host (in a copy of this
# directory) before `docker build`; BCM_REPO is the repository.
#
# lnd's go.mod has replace directives, so `go install MODULE@VERSION` refuses it: the
# source comes from the Go module proxy with `go mod download` (checked against the checksum
# database, and here against the pinned h1: sum), is copied to a writable directory (the
# module cache is read-only) and built there with `go build`, the way lnd's release builds
# do it: static (CGO_ENABLED=0), -trimpath, stripped, lnd's release build tags and its
# version ldflags. The host's Go build and module caches make a second build only link.
# This file is part of the image's tag: a new version (or new flags) gives a new tag.
set -euo pipefail

MODULE=github.com/lightningnetwork/lnd
VERSION=v0.20.0-beta
# go.sum's h1: hash of the module zip (also in the checksum database).
SUM=h1:ML+jgJ3UKDGJdUf0m73ZeR/szJKWVtHxpQP+yFC79b8=
# The commit of the tag (the proxy's Origin.Hash); lnd logs it and `lncli version` shows it.
COMMIT_HASH=b9ea7070c20ad2ca8514a47d9b4d560a501f0487
# lnd's RELEASE_TAGS (make/release_flags.mk of this version): the sub-servers (signrpc,
# walletrpc, chainrpc, invoicesrpc, ...) that Loop, Pool, Lightning Terminal and wallets
# use, Prometheus monitoring, and the sqlite/postgres/etcd database back ends.
TAGS="autopilotrpc signrpc walletrpc chainrpc invoicesrpc watchtowerrpc neutrinorpc monitoring peersrpc kvdb_postgres kvdb_etcd kvdb_sqlite"
# lnd's RELEASE_LDFLAGS, and build.Commit as its Makefile sets it (git describe --tags).
LDFLAGS="-s -w -buildid= -X ${MODULE}/build.Commit=${VERSION} -X ${MODULE}/build.CommitHash=${COMMIT_HASH}"
PACKAGES=(./cmd/lnd ./cmd/lncli)

context="${1:?usage: prepare.sh CONTEXT}"
# shellcheck source=images/docker/lib/go-module.sh
source "${BCM_DOCKER_LIB:?run by images/docker/build.sh, which sets BCM_DOCKER_LIB}/go-module.sh"
go_module_build lnd "${context}" "${MODULE}" "${VERSION}" "${SUM}" "${TAGS}" "${LDFLAGS}" lnd lncli -- "${PACKAGES[@]}"

# BCM's lnd tools, from services/lnd (a module on the same lnd version, its go.sum pinning
# every module): one binary, bcm-lnd-tools, which the Dockerfile links as bcm-lnd-start,
# bcm-lnd-seed and bcm-chanbackup (they share lnd's packages: one binary is 46 MB, three
# were 113 MB). Built the same way: static, -trimpath, stripped, the host's Go with
# GOTOOLCHAIN=local, -mod=readonly. The Dockerfile's "# bcm-source: services/lnd" puts that
# source in the image's tag.
repo="${BCM_REPO:?run by images/docker/build.sh, which sets BCM_REPO}"
start="${EPOCHREALTIME}"
(
  cd "${repo}/services/lnd"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
  go build -trimpath -ldflags="-s -w -buildid=" -o "${context}/bin/" ./cmd/bcm-lnd-tools
)
printf '[lnd prepare] go build services/lnd: %s s\n' "$(awk -v s="${start}" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", n - s }')" >&2
chmod 0755 "${context}/bin/bcm-lnd-tools"
"${context}/bin/bcm-lnd-tools" bcm-lnd-start --version >&2

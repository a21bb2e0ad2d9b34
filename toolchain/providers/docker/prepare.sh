#!/usr/bin/env bash
# Prepare the Go workspace that builds pulumi-resource-docker and print the
# path of its go.work (use it as GOWORK for go build/vet/test in this folder):
#
#   GOWORK="$(toolchain/providers/docker/prepare.sh)" go vet ./...
#
# Why: pulumi-terraform-bridge's tfshim/sdk-v2 needs three identifiers that
# only Pulumi's fork of terraform-plugin-sdk/v2 has (not served by the module
# proxy). We copy upstream hashicorp/terraform-plugin-sdk/v2 (the version our
# go.mod selects) from the module cache into a build directory OUTSIDE the
# repository, add our own _sdkv2compat/zz_bcm_bridge_compat.go to its
# helper/schema package, and point a go.work `replace` at that copy. (`go
# build -overlay` cannot be used: Go refuses overlays of files beneath
# GOMODCACHE.) Nothing is written into the repository.
#
# Env: BCM_DOCKER_BUILD_DIR (default ${TMPDIR:-/tmp}/bcm-providers/docker), GO.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GO="${GO:-go}"
build="${BCM_DOCKER_BUILD_DIR:-${TMPDIR:-/tmp}/bcm-providers/docker}"
sdkmod=github.com/hashicorp/terraform-plugin-sdk/v2
want_sdk=v2.40.1 # the compat file uses helper/schema internals of this version

die() { printf '[prepare docker] ERROR: %s\n' "$*" >&2; exit 1; }

cd "$here"
export GOWORK=off
ver="$("$GO" list -m -f '{{.Version}}' "$sdkmod")" || die "cannot resolve $sdkmod (run: go mod download)"
[ "$ver" = "$want_sdk" ] || die "go.mod selects $sdkmod $ver; _sdkv2compat/zz_bcm_bridge_compat.go was written for $want_sdk"
"$GO" mod download "$sdkmod" >/dev/null || die "go mod download $sdkmod failed"
src="$("$GO" list -m -f '{{.Dir}}' "$sdkmod")"
[ -d "$src/helper/schema" ] || die "$sdkmod not in module cache ($src)"

mkdir -p "$build"
dst="$build/terraform-plugin-sdk-v2@$ver"
stamp="$(sha256sum "$here/_sdkv2compat/zz_bcm_bridge_compat.go" | cut -c1-16)"
if [ ! -f "$dst/.bcm-stamp" ] || [ "$(cat "$dst/.bcm-stamp")" != "$stamp" ]; then
	rm -rf "$dst" "$dst.tmp"
	cp -R "$src" "$dst.tmp"
	chmod -R u+w "$dst.tmp"
	cp "$here/_sdkv2compat/zz_bcm_bridge_compat.go" "$dst.tmp/helper/schema/"
	echo "$stamp" >"$dst.tmp/.bcm-stamp"
	mv "$dst.tmp" "$dst"
fi
gover="$(sed -n 's/^go //p' "$here/go.mod")"
cat >"$build/go.work" <<WORK
go $gover

use $here

replace $sdkmod => $dst
WORK
echo "$build/go.work"

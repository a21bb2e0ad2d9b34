#!/usr/bin/env bash
# Build the Pulumi resource plugin "docker" (pulumi-resource-docker) from Go
# modules only: kreuzwerker/terraform-provider-docker (SDKv2 resources)
# bridged with pulumi-terraform-bridge.
#
#   usage: toolchain/providers/docker/build.sh <output-dir>
#
# Steps: prepare.sh (go.work with a patched copy of terraform-plugin-sdk/v2
# outside the repo) -> build our tfgen -> generate schema.json +
# bridge-metadata.json (written next to cmd/pulumi-resource-docker/main.go,
# git-ignored, embedded with //go:embed) -> build the plugin with the
# version set by -ldflags.
# Env: VERSION (default 5.0.0, must equal the @pulumi/docker npm version),
#      GO (default "go"), NICE (default "nice -n 10"; set empty to disable),
#      BCM_DOCKER_BUILD_DIR (see prepare.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-}"
VERSION="${VERSION:-5.0.0}"
GO="${GO:-go}"
NICE="${NICE-nice -n 10}"
plugin=pulumi-resource-docker
vervar=bcm.invalid/toolchain/providers/docker.Version
upstream=github.com/terraform-providers/terraform-provider-docker

say() { printf '[build docker] %s\n' "$*" >&2; }
die() { printf '[build docker] ERROR: %s\n' "$*" >&2; exit 1; }

[ -n "$out" ] || die "usage: $0 <output-dir>"
command -v "$GO" >/dev/null || die "go toolchain not found (GO=$GO)"
mkdir -p "$out" || die "cannot create output dir $out"
out="$(cd "$out" && pwd)"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bcm-docker-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$here"

start=$SECONDS
say "go: $($GO version); version $VERSION; output $out"
say "1/5 downloading modules"
GOWORK=off $NICE "$GO" mod download || die "go mod download failed (is the Go module proxy reachable?)"

say "2/5 preparing workspace (terraform-plugin-sdk/v2 + bridge compat file)"
GOWORK="$("$here/prepare.sh")" || die "prepare.sh failed"
export GOWORK
say "    GOWORK=$GOWORK"

say "3/5 building tfgen"
$NICE "$GO" build -trimpath -o "$work/tfgen" ./cmd/tfgen || die "building ./cmd/tfgen failed"

say "4/5 generating schema.json and bridge-metadata.json"
updir="$(GOWORK=off "$GO" list -m -f '{{.Dir}}' "$upstream")" || die "cannot locate $upstream in the module cache"
UPSTREAM_REPO_PATH="$updir" "$work/tfgen" schema --skip-examples --quiet --out "$work/gen" >"$work/tfgen.log" 2>&1 ||
	{ cat "$work/tfgen.log" >&2; die "tfgen schema failed"; }
[ -s "$work/gen/schema.json" ] || die "tfgen produced no schema.json"
cp "$work/gen/schema.json" "$work/gen/bridge-metadata.json" cmd/$plugin/

say "5/5 building $plugin $VERSION"
$NICE "$GO" build -trimpath -ldflags "-s -w -X $vervar=$VERSION" -o "$out/$plugin" ./cmd/$plugin ||
	die "building ./cmd/$plugin failed"

got="$("$out/$plugin" -version 2>/dev/null || true)"
[ "$got" = "$VERSION" ] || die "$out/$plugin -version printed '$got', expected '$VERSION'"
say "done in $((SECONDS - start))s: $out/$plugin ($(du -h "$out/$plugin" | cut -f1))"

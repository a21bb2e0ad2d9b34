#!/usr/bin/env bash
# Build the Pulumi resource plugin "random" (pulumi-resource-random) from Go
# modules only: terraform-provider-random bridged with pulumi-terraform-bridge.
#
#   usage: toolchain/providers/random/build.sh <output-dir>
#
# Steps: build our tfgen -> generate schema.json + bridge-metadata.json
# (written next to cmd/pulumi-resource-random/main.go, git-ignored, embedded
# with //go:embed) -> build the plugin with the version set by -ldflags.
# Env: VERSION (default 4.21.1, must equal the @pulumi/random npm version),
#      GO (default "go"), NICE (default "nice -n 10"; set empty to disable).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-}"
VERSION="${VERSION:-4.21.1}"
GO="${GO:-go}"
NICE="${NICE-nice -n 10}"
plugin=pulumi-resource-random
vervar=bcm.invalid/toolchain/providers/random.Version
upstream=github.com/terraform-providers/terraform-provider-random

say() { printf '[build random] %s\n' "$*" >&2; }
die() { printf '[build random] ERROR: %s\n' "$*" >&2; exit 1; }

[ -n "$out" ] || die "usage: $0 <output-dir>"
command -v "$GO" >/dev/null || die "go toolchain not found (GO=$GO)"
mkdir -p "$out" || die "cannot create output dir $out"
out="$(cd "$out" && pwd)"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bcm-random-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$here"

start=$SECONDS
say "go: $($GO version); version $VERSION; output $out"
say "1/4 downloading modules"
$NICE "$GO" mod download || die "go mod download failed (is the Go module proxy reachable?)"

say "2/4 building tfgen"
$NICE "$GO" build -trimpath -o "$work/tfgen" ./cmd/tfgen || die "building ./cmd/tfgen failed"

say "3/4 generating schema.json and bridge-metadata.json"
updir="$("$GO" list -m -f '{{.Dir}}' "$upstream")" || die "cannot locate $upstream in the module cache"
UPSTREAM_REPO_PATH="$updir" "$work/tfgen" schema --skip-examples --quiet --out "$work/gen" >"$work/tfgen.log" 2>&1 ||
	{ cat "$work/tfgen.log" >&2; die "tfgen schema failed"; }
[ -s "$work/gen/schema.json" ] || die "tfgen produced no schema.json"
cp "$work/gen/schema.json" "$work/gen/bridge-metadata.json" cmd/$plugin/

say "4/4 building $plugin $VERSION"
$NICE "$GO" build -trimpath -ldflags "-s -w -X $vervar=$VERSION" -o "$out/$plugin" ./cmd/$plugin ||
	die "building ./cmd/$plugin failed"

got="$("$out/$plugin" -version 2>/dev/null || true)"
[ "$got" = "$VERSION" ] || die "$out/$plugin -version printed '$got', expected '$VERSION'"
say "done in $((SECONDS - start))s: $out/$plugin ($(du -h "$out/$plugin" | cut -f1))"

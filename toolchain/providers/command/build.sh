#!/usr/bin/env bash
# Builds the Pulumi resource plugin "command" (pulumi-resource-command): BCM's own
# implementation of the command provider's schema (pulumi-command's Go module is not
# served by the module proxy; see README.md here).
#
#   usage: toolchain/providers/command/build.sh <output-dir> <version>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build.sh <output-dir> <version>}
version=${2:?usage: build.sh <output-dir> <version>}
mkdir -p "$out"
cd "$here"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$out/pulumi-resource-command" .

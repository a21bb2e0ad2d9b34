#!/usr/bin/env bash
# Builds (or reuses) the Pulumi engine this project runs on: the `pulumi` CLI, the
# Node.js language host, and the resource plugins for command, random and docker, all
# from pinned Go modules. The result lives outside the repository, in a directory keyed
# by the hash of every input (this folder, the npm SDK versions in package-lock.json and
# the Go version), so a second run on the same machine reuses it in about a second.
#
# Usage: toolchain/build.sh            build or reuse; prints the engine directory last
#        toolchain/build.sh --print    print the engine directory for the current inputs
#                                      (exit 1 if it has not been built)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache_root=${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bcm}

say() { printf '[bcm toolchain] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

command -v go >/dev/null || die "Go is not installed; install Go 1.25 or newer (https://go.dev/doc/install)"
command -v node >/dev/null || die "Node.js is not installed"

# Plugin versions are exactly what the npm SDKs ask for (the engine loads the plugin whose
# version equals the SDK's): package-lock.json's in the repository; in a project that
# installed the library (node_modules/bcm, no lockfile of its own), the installed SDKs'.
sdk_version() {
  if [ -f "$repo/package-lock.json" ]; then
    node -e 'const l=require(process.argv[1]); const p=l.packages["node_modules/"+process.argv[2]];
             if (!p) { console.error(process.argv[2]+" is not in package-lock.json"); process.exit(1); }
             console.log(p.version)' "$repo/package-lock.json" "$1"
  else
    (cd "$repo" && node -p 'require(require.resolve(process.argv[1] + "/package.json")).version' "$1") ||
      die "$1 is not installed; run 'npm ci' (or npm install) first"
  fi
}
# shellcheck source=toolchain/versions.env
. "$here/versions.env"
COMMAND_VERSION=$(sdk_version @pulumi/command)
RANDOM_VERSION=$(sdk_version @pulumi/random)
DOCKER_VERSION=$(sdk_version @pulumi/docker)

inputs_hash() {
  {
    # The files that make up the toolchain: tracked, or new and not ignored (build outputs
    # such as generated schemas are ignored, so building never changes the key). Documents
    # (*.md) and .gitignore files build nothing (and npm leaves .gitignore out of a package),
    # so an installed library finds the engine its repository built.
    if [ "$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null)" = "$repo" ]; then
      (cd "$repo" && git ls-files -z --cached --others --exclude-standard toolchain | grep -zEv '(\.md|/\.gitignore)$' | sort -z | xargs -0 sha256sum)
    else
      (cd "$repo" && find toolchain -type f ! -name '*.md' ! -name .gitignore -print0 | sort -z | xargs -0 sha256sum)
    fi
    echo "command=$COMMAND_VERSION random=$RANDOM_VERSION docker=$DOCKER_VERSION"
    go version
  } | sha256sum | cut -c1-16
}
key=$(inputs_hash)
engine="$cache_root/engine-$key"

if [ "${1:-}" = "--print" ]; then
  [ -f "$engine/.complete" ] || exit 1
  echo "$engine"; exit 0
fi

if [ -f "$engine/.complete" ]; then
  say "reusing the engine built from these inputs: $engine"
  echo "$engine"; exit 0
fi

work="$engine.partial"
rm -rf "$work"
mkdir -p "$work/bin" "$work/plugins"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
# One Go build cache beside the engines: rebuilding after a small change to one plugin
# recompiles only that plugin.
export GOCACHE="${GOCACHE:-$cache_root/go-build}"
ldv="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
started=$SECONDS
step() { say "[$1/6] $2 (elapsed $((SECONDS - started))s)"; }

step 1 "pulumi CLI v$PULUMI_CLI_VERSION"
(cd "$here/engine" && go build -trimpath -tags osusergo,grpcnotrace \
  -ldflags "-s -w -X $ldv=v$PULUMI_CLI_VERSION" -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)

step 2 "Node.js language host (toolchain/langhost, on sdk/v3 v$PULUMI_CLI_VERSION)"
(cd "$here/langhost" && go build -trimpath -ldflags "-s -w -X main.version=$PULUMI_CLI_VERSION" \
  -o "$work/bin/pulumi-language-nodejs" .)
# Dynamic providers run through this script, shipped with the @pulumi/pulumi npm package.
install -m 0755 "$(cd "$repo" && node -p 'require("path").dirname(require.resolve("@pulumi/pulumi/package.json"))')/pulumi-resource-pulumi-nodejs" "$work/bin/"

step 3 "the operator's Docker socket forwarder (toolchain/dockerforward)"
(cd "$here/dockerforward" && go build -trimpath -ldflags "-s -w" -o "$work/bin/bcm-docker-forward" .)

step 4 "resource plugin command v$COMMAND_VERSION"
bash "$here/providers/command/build.sh" "$work/plugins" "$COMMAND_VERSION"

step 5 "resource plugin random v$RANDOM_VERSION"
VERSION=$RANDOM_VERSION bash "$here/providers/random/build.sh" "$work/plugins" "$RANDOM_VERSION"

step 6 "resource plugin docker v$DOCKER_VERSION"
VERSION=$DOCKER_VERSION bash "$here/providers/docker/build.sh" "$work/plugins" "$DOCKER_VERSION"

cat > "$work/versions.json" <<EOF
{ "pulumi": "$PULUMI_CLI_VERSION", "languageHost": "$PULUMI_CLI_VERSION",
  "plugins": { "command": "$COMMAND_VERSION", "random": "$RANDOM_VERSION", "docker": "$DOCKER_VERSION" } }
EOF
touch "$work/.complete"
rm -rf "$engine"
mv "$work" "$engine"
say "built in $((SECONDS - started))s: $engine ($(du -sh "$engine" | cut -f1))"
echo "$engine"

#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: prepares the machine (scripts/setup.sh),
# type-checks, then runs the unit tests and the integration tests against the real engine
# and daemons. .ci/run runs exactly this.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
say() { printf '[bcm test] %s\n' "$*"; }

started=$SECONDS
bash scripts/setup.sh
say "type-checking (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json
say "Go tests of the toolchain (language host, command provider)"
export GOCACHE="${GOCACHE:-${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bcm}/go-build}" GOFLAGS="${GOFLAGS:--buildvcs=false}"
for module in toolchain/langhost toolchain/providers/command; do
  (cd "$module" && go test -count=1 ./...)
done
say "unit tests"
npx jest --selectProjects unit --ci
say "integration tests (real engine, dockerd, LXD)"
npx jest --selectProjects integration --ci --runInBand
say "all tests passed in $((SECONDS - started))s"

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
say "Go tests of the toolchain (engine watch, Docker socket forwarder, language host, command provider)"
export GOCACHE="${GOCACHE:-${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bcm}/go-build}" GOFLAGS="${GOFLAGS:--buildvcs=false}"
for module in toolchain/enginewatch toolchain/dockerforward toolchain/langhost toolchain/providers/command; do
  (cd "$module" && go test -count=1 ./...)
done
say "unit tests"
npx jest --selectProjects unit --ci
say "integration tests (real engine, dockerd, LXD)"
# The data center's containers have fixed names (bcm-gateway-01 ...), so only one data
# center can live on an LXD daemon at a time: the tests wait for the lock `npm run bench`
# also takes, instead of colliding with it.
flock /tmp/bcm-datacenter.lock npx jest --selectProjects integration --ci --runInBand
say "all tests passed in $((SECONDS - started))s"

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
# The Go tests (their own daemons on 127.0.0.1, no LXD) run beside the type-check and the
# unit tests; their output is shown when they end, and a failure stops the run there.
say "Go tests, in the background (engine watch, Docker socket forwarder, language host, command provider; the Electrum server against a real btcd and BDK; the lnd tools against real btcd, lnd and Kafka; bcm-streams against real Kafka and btcd)"
export GOCACHE="${GOCACHE:-${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bcm}/go-build}" GOFLAGS="${GOFLAGS:--buildvcs=false}"
go_log=$(mktemp /tmp/bcm-go-tests.XXXXXX)
(
  for module in toolchain/enginewatch toolchain/dockerforward toolchain/langhost toolchain/providers/command services/electrum services/lnd services/streams; do
    echo "== go test ./... in $module"
    (cd "$module" && go test -count=1 -timeout 40m ./...) || exit 1
  done
) >"$go_log" 2>&1 &
go_tests=$!
# A failure in the foreground stops the Go tests too.
trap 'kill "$go_tests" 2>/dev/null || true' EXIT
say "type-checking (tsc --noEmit; the examples too)"
npx tsc --noEmit -p tsconfig.json
npx tsc -p tsconfig.examples.json
say "unit tests"
npx jest --selectProjects unit --ci
say "waiting for the Go tests"
if wait "$go_tests"; then
  trap - EXIT
  cat "$go_log"
  rm -f "$go_log"
else
  cat "$go_log"
  say "the Go tests failed (above)"
  exit 1
fi
say "integration tests (real engine, dockerd, LXD)"
# The data center's containers have fixed names (bcm-gateway-01 ...), so only one data
# center can live on an LXD daemon at a time: the tests wait for the lock `npm run bench`
# also takes, instead of colliding with it.
flock -o /tmp/bcm-datacenter.lock npx jest --selectProjects integration --ci --runInBand
say "all tests passed in $((SECONDS - started))s"

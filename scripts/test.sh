#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: prepares the machine (scripts/setup.sh),
# type-checks, then runs the unit tests and the integration tests against the real engine
# and daemons. .ci/run runs exactly this.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
say() { printf '[bcm test] %s\n' "$*"; }

# The long end-to-end suites (each a whole data center of its own) are more than one run can
# hold: after the data center's queue, npm test runs one of those that pass on main, chosen at
# random among those the time left leaves room for (BCM_TEST_BUDGET seconds from the start,
# default 80 minutes of CI's 90; a cold machine spends its time on setup), and says which
# (BCM_TEST_LONG=<file> chooses); `npm run test:e2e` runs every one. Each entry: the file and
# the minutes it takes on this machine kind (README, "Tests").
long=("test/datacenter/lightning.it.test.ts:35" "test/faults/faults.it.test.ts:12" "test/datacenter/secretsTrace.it.test.ts:9")
all_long=("/test/datacenter/lightning\\.it\\.test\\.ts$" "/test/datacenter/backupHealth\\.it\\.test\\.ts$" "/test/datacenter/secretsTrace\\.it\\.test\\.ts$" "/test/faults/faults\\.it\\.test\\.ts$")
# One of the long suites that fit in what is left of the budget, chosen at random (pure: the
# entries, the seconds left, a random number); prints "file:minutes", or nothing.
pick_long() {
  local left=$1 roll=$2 entry fitting=()
  shift 2
  for entry in "$@"; do [ $(( ${entry##*:} * 60 )) -le "$left" ] && fitting+=("$entry"); done
  [ "${#fitting[@]}" -gt 0 ] && echo "${fitting[roll % ${#fitting[@]}]}"
  return 0
}
# What a failed jest run's log says went wrong, in a few lines: the failed tests and the
# engine's errors, each once (a CI log keeps only its head and tail, and the engine's own
# words sit in the middle of a long CommandError).
failure_digest() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" |
    { grep -E '^ *(● |error: |Error: )' || true; } | sed -E 's/^ +//' | cut -c1-400 | awk '!seen[$0]++' | head -n 40
  return 0
}
[ "${1:-}" = "--pick-long" ] && { shift; pick_long "$@"; exit 0; }
[ "${1:-}" = "--failure-digest" ] && { failure_digest "$2"; exit 0; }

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
# The integration tests, in two queues that run side by side:
# - the data center's (LXD instances with fixed names, the second LXD daemon, the private Tor
#   network, whole data centers): one at a time, holding the lock `npm run up` and the
#   benchmarks take, so only one data center lives on the LXD daemon;
# - the rest (the device's tools, Docker images on their own networks, the policy pack, the
#   Tor and firewall checks in namespaces of their own), beside them; a test that launches
#   an LXD container or imports an image stays in the first queue.
beside=("/device/(git|gpg|pass)/" "/engine/" "/device/ssh/sshAgent\\.it\\.test\\.ts$" "/images/" "/policy/policy\\.it\\.test\\.ts$" "/automation/" "/components/gateway/" "/components/tor/" "/test/cli/(device|identity|init)\\.it\\.test\\.ts$")
say "integration tests (real engine, dockerd, LXD); after them one long suite that fits the time left (of: ${long[*]:-none passing yet}${BCM_TEST_LONG:+; BCM_TEST_LONG=$BCM_TEST_LONG})"
beside_log=$(mktemp /tmp/bcm-it-beside.XXXXXX)
npx jest --selectProjects integration --ci --runInBand --testPathPatterns "${beside[@]}" >"$beside_log" 2>&1 &
beside_tests=$!
trap 'kill "$beside_tests" 2>/dev/null || true' EXIT
status=0
dc_log=$(mktemp /tmp/bcm-it-datacenter.XXXXXX)
flock -o /tmp/bcm-datacenter.lock npx jest --selectProjects integration --ci --runInBand --testPathIgnorePatterns "/node_modules/" "${beside[@]}" "${all_long[@]}" 2>&1 | tee "$dc_log" || status=1
if [ "$status" -eq 0 ]; then
  budget=${BCM_TEST_BUDGET:-4800}
  left=$((budget - (SECONDS - started)))
  entry=${BCM_TEST_LONG:+$BCM_TEST_LONG:?}
  [ -n "$entry" ] || entry=$(pick_long "$left" "$RANDOM" "${long[@]}")
  if [ -n "$entry" ]; then
    pick=${entry%%:*}
    say "the long suite: $pick (about ${entry##*:} min; ${left} s of ${budget} s left)"
    flock -o /tmp/bcm-datacenter.lock npx jest --selectProjects integration --ci --runInBand --testPathPatterns "/${pick//./\\.}\$" 2>&1 | tee -a "$dc_log" || status=1
  else
    say "no long suite fits in this run's time ($((SECONDS - started)) s so far of ${budget} s; ${long[*]}): none run (npm run test:e2e runs them)"
  fi
fi
say "the tests beside the data center's:"
wait "$beside_tests" || status=1
trap - EXIT
cat "$beside_log"
if [ "$status" -ne 0 ]; then
  say "integration tests failed (above); in short:"
  failure_digest "$dc_log"
  failure_digest "$beside_log"
  rm -f "$dc_log" "$beside_log"
  exit 1
fi
rm -f "$dc_log" "$beside_log"
say "all tests passed in $((SECONDS - started))s"

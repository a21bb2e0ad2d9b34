#!/usr/bin/env bash
# npm run bench: prepares the machine (scripts/setup.sh: engine, LXD and Docker images, all
# cached), then runs the data-center benchmark (bench/datacenter.ts) under the data-center
# lock: the project's cold bring-up, no-change up and destroy of the standalone data center,
# beside bench/baseline.sh doing the same by hand, and the engine's peak memory.
#
# The LXD daemon is shared: the benchmark creates bcm-gateway-01 and the bcm-docker profile,
# so it takes /tmp/bcm-datacenter.lock and waits (up to BCM_BENCH_WAIT seconds, default 1800)
# while any bcm-* container, that profile or that volume exists. BCM_BENCH_JSON=<file> also
# writes the figures as JSON.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
say() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown argument '$1' (bench takes none; see --help)" ;;
esac
[ "$(id -u)" -eq 0 ] || die "the benchmark drives LXD and dockerd: run it as root"

bash scripts/setup.sh >&2

# Someone else's data center on this LXD: its containers, the fixed-name profile or volume.
busy() {
  local found
  found=$(lxc list --format csv -c n '^bcm-' | paste -sd, -)
  [ -z "$found" ] || printf 'containers %s; ' "$found"
  lxc profile show bcm-docker >/dev/null 2>&1 && printf 'profile bcm-docker; '
  lxc storage volume show default bcm-gateway-01-docker >/dev/null 2>&1 && printf 'volume bcm-gateway-01-docker; '
  return 0
}

exec 9>/tmp/bcm-datacenter.lock
deadline=$((SECONDS + ${BCM_BENCH_WAIT:-1800}))
while :; do
  flock 9
  what=$(busy)
  [ -n "$what" ] || break
  flock -u 9
  [ "$SECONDS" -lt "$deadline" ] || die "gave up waiting: still on LXD: $what"
  say "waiting for another data center to go: $what"
  sleep 30
done
say "holding /tmp/bcm-datacenter.lock; LXD is free"
# This shell holds the lock while the benchmark runs; the benchmark's processes do not
# inherit fd 9, so a plugin left behind can never keep the lock.
TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register bench/datacenter.ts 9>&-

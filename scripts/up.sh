#!/usr/bin/env bash
# The main job: prepares the machine (scripts/setup.sh), then deploys the standalone data
# center on this machine's own daemons. Pass --destroy to tear it down, --help for the rest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
case " $* " in
  *" --help "*|*" -h "*) ;; # help needs no setup
  *) bash scripts/setup.sh ;;
esac
case " $* " in
  *" --help "*|*" -h "*) TS_NODE_TRANSPILE_ONLY=true exec node -r ts-node/register automation/standalone.ts "$@" ;;
esac
# One data center per LXD daemon (its container names are fixed): wait for the tests and
# benchmarks, which take the same lock, instead of colliding with them. This shell holds it;
# node and the engine's processes do not inherit it (9>&-), so a process left behind can
# never keep it.
exec 9>/tmp/bcm-datacenter.lock
if ! flock -n 9; then
  echo "[bcm up] waiting for another data center run on this machine (tests or a benchmark hold /tmp/bcm-datacenter.lock)" >&2
  flock 9
fi
TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register automation/standalone.ts "$@" 9>&-

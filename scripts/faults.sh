#!/usr/bin/env bash
# Fault injection (`npm run test:faults`): kills the engine's process group at eight points
# of a cold `npm run up` of the full standalone data center and three of its destroy, each
# followed by a plain rerun, and prints a table (test/faults/). About 40 minutes. The setup
# runs once here; every run under test is the entry point `npm run up` execs after it.
#   npm run test:faults                      every point (8 of an up, 3 of a destroy)
#   npm run test:faults -- up-4 destroy-2    only those, each its own pass
#   BCM_FAULT_POINTS=up-4,destroy-2 npm test the same choice for the two-point jest test
#   npm run test:faults -- --help            the points and these lines
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
case "${1:-}" in -h|--help) exec env TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register test/faults/run.ts --help ;; esac
bash scripts/setup.sh
# One data center per LXD daemon (fixed container names): wait for other tests and benches.
exec flock /tmp/bcm-datacenter.lock env TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register test/faults/run.ts "$@"

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
TS_NODE_TRANSPILE_ONLY=true exec node -r ts-node/register automation/standalone.ts "$@"

#!/usr/bin/env bash
# npm run bench:scale: the cluster program's model for a synthetic cluster of 10, 50 and 100
# endpoints (every tier on every endpoint), built under Pulumi's mocks, each size in a fresh
# process: time, peak memory and resources registered, with the growth per endpoint.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
case "${1:-}" in
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "[bench scale] error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
sizes=${BCM_SCALE_SIZES:-10 50 100}
printf '[bench scale] load before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '| endpoints | resources | seconds | peak RSS (MiB) |\n|---:|---:|---:|---:|\n'
for n in $sizes; do
  line=$(TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register bench/scale/program.ts "$n" | tail -n 1)
  node -e 'const r=JSON.parse(process.argv[1]); console.log(`| ${r.endpoints} | ${r.resources} | ${r.seconds.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} |`)' "$line"
done
printf '[bench scale] load after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >&2

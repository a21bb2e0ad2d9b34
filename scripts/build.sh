#!/usr/bin/env bash
# `npm run build`: the library as JavaScript with type declarations in dist/ (tsconfig.build.json),
# plus what runs from dist/ at deploy time without the sources: the policy pack's
# PulumiPolicy.yaml and package.json (its entry is index.js there).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
case "${1:-}" in
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "[bcm build] error: unknown argument '$1' (build takes none; see --help)" >&2; exit 2 ;;
esac
started=$SECONDS
rm -rf dist
npx tsc -p tsconfig.build.json
cp policy/PulumiPolicy.yaml dist/policy/
node -e 'const p=require("./policy/package.json"); p.main="index.js"; p.description="BCM'"'"'s CrossGuard policy pack, compiled"; require("fs").writeFileSync("dist/policy/package.json", JSON.stringify(p, null, 2)+"\n")'
printf '[bcm build] dist/ in %ss\n' "$((SECONDS - started))" >&2

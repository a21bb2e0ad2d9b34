#!/usr/bin/env bash
# Prepares this machine for BCM, idempotently: npm dependencies, the host daemons
# (dockerd, LXD) and tools, the Pulumi engine built from pinned Go modules, and the
# system-container images (both cached outside the repository). A second run on the
# same machine takes seconds.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
say() { printf '[bcm setup] %s\n' "$*"; }
die() { printf '[bcm setup] error: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown argument '$1' (setup takes none; see --help)" ;;
esac

started=$SECONDS
command -v node >/dev/null || die "Node.js 20.19+ is required (apt-get install nodejs, or your usual installer)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $(node --version) is too old: 20.19 or newer is needed (require(esm) support)"
command -v go >/dev/null || die "Go 1.25+ is required to build the Pulumi engine (https://go.dev/doc/install)"

# npm dependencies: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.bcm-lock-hash
want=$(sha256sum package-lock.json | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
else
  say "npm dependencies are up to date"
fi

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/host/ensure-all.sh
else
  say "not root: skipping host daemons (run 'sudo bash scripts/host/ensure-all.sh' once)"
fi

engine=$(bash toolchain/build.sh)
say "engine: $engine"

if [ "$(id -u)" -eq 0 ]; then
  # The system-container images (debootstrap needs root); cached by their recipe's hash.
  bash images/build.sh bcm-base bcm-template >/dev/null
  say "images: $(bash images/build.sh --print bcm-template)"
  # The Swarm services' Docker images, from Debian packages on the host's dockerd.
  bash images/docker/build.sh >/dev/null
  say "docker images: $(bash images/docker/build.sh --print | tail -n 1)"
fi
say "ready in $((SECONDS - started))s"

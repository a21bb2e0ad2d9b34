#!/usr/bin/env bash
# bench/electrum/run.sh [electrum-bench flags]: measures bcm-electrum (services/electrum) on a
# generated regtest chain of at least 20,000 transactions, beside its floor: the same blocks
# fetched with getblock alone from the same node. Not part of the tests.
#
# Builds btcd (the version services/electrum/go.mod pins) and bcm-electrum with the host's
# Go and caches, starts btcd on 127.0.0.1 only (regtest, no peers), generates the chain in Go
# (signed P2WPKH payments, every one paying the same few "busy" script hashes), then
# indexes it from empty, times get_history of a busy script hash, and reads peak RSS from
# /proc. Prints one Markdown table; --json FILE also writes the figures. Flags: --txs N
# (20000), --workers N (transactions per block, 100), --busy N (3), --queries N (300),
# --keep DIR (keep the chain and logs).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
command -v go >/dev/null || { echo "bench/electrum: needs Go on PATH" >&2; exit 1; }
bin=$(mktemp -d "${TMPDIR:-/tmp}/bcm-electrum-bench-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT
cd "$repo/services/electrum"
GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" go build -o "$bin/electrum-bench" ./cmd/electrum-bench
"$bin/electrum-bench" "$@"

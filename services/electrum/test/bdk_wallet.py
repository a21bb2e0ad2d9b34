#!/usr/bin/env python3
"""Drives BDK (bdkpython, the Bitcoin Dev Kit's Python bindings) against bcm-electrum, for
the Go test TestBDKWalletThroughTheServer. BDK's own Electrum client does every network
call; nothing here speaks the protocol itself.

The wallet is BIP84 account 0 of the public test mnemonic "abandon ... about" on regtest:
wpkh(tprv/84'/1'/0'/0/*), change wpkh(tprv/84'/1'/0'/1/*) (coin type 1 on every network but
mainnet). Each command starts from an in-memory wallet and scans the server fresh.

  bdk_wallet.py address                          first receive address and the descriptor
  bdk_wallet.py sync --url tcp://HOST:PORT        balance and transactions, as JSON
  bdk_wallet.py send --url ... --to ADDR --amount SATS
                                                  builds, signs and broadcasts a payment
"""
import argparse
import json
import os
import sys

import bdkpython as bdk

# The wallet's answers are shaped as the data-center tests' driver shapes them: one describe()
# and one pay() for both (test/testing/bdkWallet.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "test", "testing"))
from bdkWallet import describe, pay  # noqa: E402

MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
NETWORK = bdk.Network.REGTEST


def wallet():
    key = bdk.DescriptorSecretKey(bdk.NetworkKind.TEST, bdk.Mnemonic.from_string(MNEMONIC), None)
    external = bdk.Descriptor.new_bip84(key, bdk.KeychainKind.EXTERNAL, bdk.NetworkKind.TEST)
    internal = bdk.Descriptor.new_bip84(key, bdk.KeychainKind.INTERNAL, bdk.NetworkKind.TEST)
    return bdk.Wallet(external, internal, NETWORK, bdk.Persister.new_in_memory()), external


def scan(w, url):
    client = bdk.ElectrumClient(url)
    request = w.start_full_scan().build()
    # stop_gap 20 (BIP44's), batches of 10 requests, previous outputs fetched (for fees).
    update = client.full_scan(request, 20, 10, True)
    w.apply_update(update)
    return client


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("address")
    p = sub.add_parser("sync")
    p.add_argument("--url", required=True)
    p = sub.add_parser("send")
    p.add_argument("--url", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--amount", type=int, required=True)
    p.add_argument("--feerate", type=int, default=2, help="sat/vB")
    args = parser.parse_args()

    w, external = wallet()
    if args.cmd == "address":
        first = w.peek_address(bdk.KeychainKind.EXTERNAL, 0)
        print(json.dumps({"address": str(first.address), "descriptor": w.public_descriptor(bdk.KeychainKind.EXTERNAL)}))
        return 0
    client = scan(w, args.url)
    if args.cmd == "sync":
        print(json.dumps(describe(w)))
        return 0
    print(json.dumps(pay(w, client, args.to, args.amount, args.feerate)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

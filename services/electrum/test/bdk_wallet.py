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
import sys

import bdkpython as bdk

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


def describe(w):
    b = w.balance()
    txs = []
    for ct in w.transactions():
        pos = ct.chain_position
        height = None
        if isinstance(pos, bdk.ChainPosition.CONFIRMED):
            height = pos.confirmation_block_time.block_id.height
        sent_received = w.sent_and_received(ct.transaction)
        txs.append({
            "txid": str(ct.transaction.compute_txid()),
            "confirmed": height is not None,
            "height": height,
            "received": sent_received.received.to_sat(),
            "sent": sent_received.sent.to_sat(),
        })
    txs.sort(key=lambda t: (t["height"] is None, t["height"] or 0, t["txid"]))
    return {
        "balance": {
            "confirmed": b.confirmed.to_sat(),
            "immature": b.immature.to_sat(),
            "trusted_pending": b.trusted_pending.to_sat(),
            "untrusted_pending": b.untrusted_pending.to_sat(),
            "total": b.total.to_sat(),
        },
        "tip": w.latest_checkpoint().height,
        "txs": txs,
    }


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
    to = bdk.Address(args.to, NETWORK).script_pubkey()
    psbt = (bdk.TxBuilder()
            .add_recipient(to, bdk.Amount.from_sat(args.amount))
            .fee_rate(bdk.FeeRate.from_sat_per_vb(args.feerate))
            .finish(w))
    if not w.sign(psbt):
        print("BDK did not finalize the transaction", file=sys.stderr)
        return 1
    tx = psbt.extract_tx()
    txid = client.transaction_broadcast(tx)
    print(json.dumps({"txid": str(txid), "fee": w.calculate_fee(tx).to_sat()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

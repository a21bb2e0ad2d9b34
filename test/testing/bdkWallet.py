#!/usr/bin/env python3
"""Drives BDK (bdkpython, the Bitcoin Dev Kit's Python bindings) against an Electrum server
through a SOCKS5 proxy (a Tor client), for test/datacenter/workloads.it.test.ts. BDK's own
Electrum client does every network call; nothing here speaks the protocol itself.

One JSON object on stdin (the descriptors carry private keys: never on the command line):
  {"cmd": "sync" | "send", "descriptor": "wpkh(...)", "change_descriptor": "wpkh(...)",
   "url": "tcp://<onion>:50001", "socks5": "HOST:PORT",
   "to": ADDRESS, "amount": SATS, "feerate": SAT_PER_VB}      (send only)
Each run starts from an in-memory wallet and scans the server fresh; it prints one JSON line:
  sync: {"balance": {...}, "tip": N, "txs": [{"txid", "confirmed", "height", "received", "sent"}]}
  send: {"txid": "...", "fee": SATS}
A failure prints {"error": "..."} and exits 1.
"""
import json
import sys

import bdkpython as bdk

NETWORK = bdk.Network.REGTEST


def scan(w, url, socks5):
    # timeout in seconds (a u8), a few retries: the first circuit to an onion service takes a while.
    client = bdk.ElectrumClient(url, socks5=socks5, timeout=60, retry=3)
    request = w.start_full_scan().build()
    # stop_gap 20 (BIP44's), batches of 10 requests, previous outputs fetched (for fees).
    w.apply_update(client.full_scan(request, 20, 10, True))
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
    req = json.load(sys.stdin)
    w = bdk.Wallet(bdk.Descriptor(req["descriptor"], bdk.NetworkKind.TEST), bdk.Descriptor(req["change_descriptor"], bdk.NetworkKind.TEST), NETWORK, bdk.Persister.new_in_memory())
    client = scan(w, req["url"], req["socks5"])
    if req["cmd"] == "sync":
        print(json.dumps(describe(w)))
        return 0
    if req["cmd"] != "send":
        raise ValueError(f"unknown cmd {req['cmd']!r}")
    to = bdk.Address(req["to"], NETWORK).script_pubkey()
    psbt = (bdk.TxBuilder()
            .add_recipient(to, bdk.Amount.from_sat(req["amount"]))
            .fee_rate(bdk.FeeRate.from_sat_per_vb(req.get("feerate", 2)))
            .finish(w))
    if not w.sign(psbt):
        raise RuntimeError("BDK did not finalize the transaction")
    tx = psbt.extract_tx()
    txid = client.transaction_broadcast(tx)
    print(json.dumps({"txid": str(txid), "fee": w.calculate_fee(tx).to_sat()}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one line for the test's message
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
